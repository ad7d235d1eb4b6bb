"""Add to Slack: OAuth v2 installs, their tokens encrypted at rest, a client per workspace.

``crypto`` turns ADDONS_TOKEN_KEY into a cipher; ``store`` keeps installations in the app's
database through slack_sdk's SQLAlchemy stores, encrypting tokens on the way in; ``flow``
is Bolt's OAuth flow with this app's pages (and Enterprise Grid org installs refused);
``clients`` gives the schedule and the outbox sender each workspace's own token.
"""
