"""A Coopol server for the crash test, run as its own process so that it can be SIGKILLed."""

import sys

from werkzeug.serving import make_server

from coopol import create_app

app = create_app({
    "SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "crash-test",
    "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory",
    "FORM_MIN_SECONDS": 0,
})
server = make_server("127.0.0.1", int(sys.argv[2]), app, threaded=True)
print("ready", flush=True)
server.serve_forever()
