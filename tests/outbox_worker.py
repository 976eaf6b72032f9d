"""An outbox worker run as its own process, so that a test can SIGKILL it mid-batch.

    python tests/outbox_worker.py DATABASE_URL SENT_LOG RATE_PER_MINUTE

Each delivered mail appends its recipient to SENT_LOG (flushed and synced at once), standing
in for the mail server's log.
"""

import os
import sys

from coopol import create_app, mail

app = create_app({
    "SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "test-secret",
    "SERVER_NAME": "coopol.test", "BASE_URL": "http://coopol.test",
    "MAIL_BACKEND": "memory", "MAIL_RATE_PER_MINUTE": int(sys.argv[3]),
})


def deliver(message) -> None:
    with open(sys.argv[2], "a", encoding="utf-8") as log:
        log.write(message["To"] + "\n")
        log.flush()
        os.fsync(log.fileno())


mail.deliver = deliver
with app.app_context():
    print("ready", flush=True)
    mail.work_once()
