"""Use cases: work that holds a database session and joins storage to formats, maps and mail.

The daily freshness job, running an import, writing an export, loading the demo: what the web
views and the commands both ask for, written once here.
"""
