"""Profile one page of the national dataset with pyinstrument, as a seeded account sees it.

    COOPOL_DATABASE_URL=sqlite:///$PWD/instance/scale.sqlite3 \
        .venv/bin/python bench/profile_page.py /events/ --as militant --repeat 5

The page is requested once to warm the caches up, then `--repeat` times under the profiler
(sampling every 0.5 ms); the call tree of those requests is printed. pyinstrument comes with
the test extras (`pip install -e .[test]`).
"""

import argparse
import logging
import os
import sys
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coopol import create_app  # noqa: E402
from coopol.seed_scale import ACCOUNTS, SCALE_PASSWORD  # noqa: E402

WHO = {"admin": 0, "secretaire": 1, "animateur": 2, "militant": 3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="The page, e.g. /events/ or /groups/<slug>/members.")
    parser.add_argument("--as", dest="who", choices=sorted(WHO), default="militant")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--htmx", action="store_true", help="Send HX-Request, as htmx does.")
    args = parser.parse_args()
    url = os.environ.get("COOPOL_DATABASE_URL")
    if not url:
        sys.exit("Indique la base du jeu national dans COOPOL_DATABASE_URL.")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    logging.getLogger("coopol.request").setLevel(logging.WARNING)
    client = app.test_client()
    answer = client.post("/auth/login", data={"email": ACCOUNTS[WHO[args.who]],
                                              "password": SCALE_PASSWORD})
    if answer.status_code != 303:
        sys.exit("Connexion impossible : lance d'abord « flask seed scale ».")
    headers = {"HX-Request": "true"} if args.htmx else {}
    print(args.path, client.get(args.path, headers=headers).status_code)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(args.repeat):
            client.get(args.path, headers=headers)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
