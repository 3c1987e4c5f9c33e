"""The clinic's aiohttp application: app.py is the composition root, one package per domain
(views -> service -> queries, with its texts, triage/ included), and the web plumbing in web/."""
