"""Strengths: adding, placing, editing and withdrawing one, its history, coaches' connections."""
