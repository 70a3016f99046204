"""Exchanging data: staff import files in steps and export the register."""
