"""The clinic's aiohttp application: app.py is the composition root, one package per domain
(views -> service -> queries, with its texts), and the web plumbing in web/. Triage still lives in the
modules triage.py, triage_data.py, news2.py, assessments.py and views/triage.py."""
