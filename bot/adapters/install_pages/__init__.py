"""The install pages: the landing page with "Add to Slack", success and failure pages.

``texts`` holds their words (German and English), ``language`` picks one from the
browser's Accept-Language, ``pages`` draws HTML around the one stylesheet in
``static/``, and ``routes`` serves them (with ``privacy.md``, a link to docs/privacy-notice.md).
"""
