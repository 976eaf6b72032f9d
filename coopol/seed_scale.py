"""The national-scale dataset (`flask seed scale`): what the benchmarks of bench/ measure.

Deterministic for a given seed: 40,000 members placed like the population, ~3,000 sections,
2,500 groups (the largest of 2,315 members) with their discussions, past and upcoming events with
RSVPs, and three national consultations (two closed through the real count, one open).
Rows go in by bulk inserts in chunks; every maintained counter is set from the rows inserted.
"""

import random
import time
from collections import defaultdict
from datetime import timedelta

import click
from sqlalchemy import func, insert, select, update

from .auth.service import hash_password
from .consultations import results, rollup
from .consultations.models import Ballot, BallotChoice, Consultation, Option, Participation
from .database import fold, refresh_statistics, utcnow
from .events.models import KINDS, Event, Rsvp
from .events.rsvps import CODE_ALPHABET, CODE_LENGTH
from .extensions import db
from .geo.models import Commune, Section
from .groups.models import Group, GroupMembership, Post, Proposal, ProposalSupport, group_theme
from .groups.service import slugify
from .profile.models import Member, Role, Theme, member_interest

# The password of every generated account, printed at the end for the benchmarks.
SCALE_PASSWORD = "coopol-scale"  # noqa: S105  # nosec B105
# The accounts the benchmarks log in as: the first members created, in the busiest commune.
ACCOUNTS = ("admin@scale.coopol.fr", "secretaire@scale.coopol.fr",
            "animateur@scale.coopol.fr", "militant@scale.coopol.fr")
BIGGEST_GROUP = "Écologie populaire"
CHUNK = 2000
SECTIONS, GROUPS, BIG_GROUPS = 3000, 2500, (2315, 1980, 1760, 1590, 1450, 1380, 1290, 1210,
                                            1150, 1100, 1060, 1020)

def _names(text: str) -> tuple[str, ...]:
    return tuple(word.replace("_", " ") for word in text.split())


FIRST = _names("Camille Léa Manon Chloé Emma Inès Jade Louise Sarah Lucie Nadia Fatima Aïcha Sofia "
         "Julie Claire Anne Marie Élodie Pauline Yasmine Océane Amandine Hélène Nathalie Sylvie "
         "Thomas Lucas Hugo Louis Nathan Karim Mehdi Youssef Julien Nicolas Pierre Jean Paul "
         "Antoine Maxime Alexandre Olivier Philippe Mathieu Samir Rachid Bruno Éric Théo Enzo "
         "Mamadou Moussa Kévin Romain Vincent Laurent Gaël Yannick Loïc Sébastien")
LAST = _names("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre "
        "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
        "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
        "Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly "
        "Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Perez Marchand Dufour Blanchard "
        "Benali Haddad Diallo Traoré Benaïssa Kaci Le_Gall Le_Goff Da_Silva Ferreira")
GROUP_WORDS = ("Collectif", "Atelier", "Comité", "Réseau", "Groupe", "Cercle", "Coordination")
EVENT_TITLES = {"reunion": "Réunion de section", "tractage": "Tractage au marché",
                "porte_a_porte": "Porte-à-porte", "deambulation": "Déambulation",
                "meeting": "Meeting", "formation": "Formation", "autre": "Apéro militant"}
SENTENCES = (
    "On se retrouve devant la mairie à 10 h.", "Qui peut apporter des tracts ?",
    "Le compte rendu de la dernière réunion est en ligne.", "Merci à toutes et à tous !",
    "Je propose qu'on en discute jeudi.", "Il faut parler des loyers dans le quartier.",
    "La pétition a déjà 300 signatures.", "Bonne idée, je m'inscris.",
    "Attention, le lieu a changé.", "On a besoin de monde pour le porte-à-porte samedi.",
)


def _timer():
    started = time.perf_counter()
    return lambda label: click.echo(f"  {label} ({time.perf_counter() - started:.1f} s)")


def _insert(model, rows, ids: bool = False) -> list[int]:
    """Insert rows in chunks; return their new ids, in order, when asked."""
    new_ids = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        if ids:
            new_ids += db.session.scalars(
                insert(model).returning(model.id, sort_by_parameter_order=True), chunk).all()
        else:
            db.session.execute(insert(model), chunk)
    return new_ids


def _cut(places, wanted: int) -> list[list]:
    """Cut communes (in order) into about `wanted` runs of similar population."""
    runs, share = [], sum(p.population for p in places) / wanted
    while len(runs) < wanted and share >= 1:
        runs, current, weight = [], [], 0
        for place in places:
            current.append(place)
            weight += place.population
            if weight >= share:
                runs.append(current)
                current, weight = [], 0
        if current:
            runs.append(current)
        share *= 0.8  # big cities take a whole section each: cut the rest finer
    return runs


def _ago(rng, days_max: float, days_min: float = 0):
    return utcnow() - timedelta(days=rng.uniform(days_min, days_max))


class Builder:
    """Build the dataset step by step; each step reads what the earlier ones made."""

    def __init__(self, seed: int, members: int):
        # Reproducible test data, not secrets.
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311
        self.members_wanted = members
        self.now = utcnow()

    def run(self) -> None:
        for step in (self.sections, self.members, self.roles, self.groups, self.posts,
                     self.events, self.consultations):
            step()
            db.session.commit()

    # --- places ---------------------------------------------------------------------------

    def sections(self) -> None:
        """Cut each fédération into sections of neighbouring communes of similar population."""
        done = _timer()
        communes = db.session.execute(
            select(Commune.insee, Commune.name, Commune.federation_code, Commune.epci_code,
                   Commune.population).where(Commune.has_arrondissements.is_(False))
            .order_by(Commune.insee)).all()
        by_federation = defaultdict(list)
        for row in communes:
            by_federation[row.federation_code].append(row)
        total = sum(r.population for r in communes) or 1
        rows, members_of, names = [], [], set()
        for code in sorted(by_federation):
            places = sorted(by_federation[code], key=lambda r: (r.epci_code or "", -r.population))
            population = sum(r.population for r in places)
            wanted = max(1, min(len(places), round(SECTIONS * population / total)))
            members_of += _cut(places, wanted)
        for group in members_of:
            head = max(group, key=lambda r: r.population)
            name = head.name if fold(head.name) not in names else f"{head.name} ({head.insee})"
            names.add(fold(name))
            rows.append({"name": name, "federation_code": head.federation_code,
                         "created_at": self.now - timedelta(days=900)})
        ids = _insert(Section, rows, ids=True)
        updates = [{"insee": c.insee, "section_id": section_id}
                   for section_id, group in zip(ids, members_of, strict=True) for c in group]
        for start in range(0, len(updates), CHUNK):
            db.session.execute(update(Commune), updates[start:start + CHUNK])
        self.places = {c.insee: (section_id, c.federation_code)
                       for section_id, group in zip(ids, members_of, strict=True) for c in group}
        self.communes = [c for c in communes if c.population > 0]
        self.section_ids = ids
        self.section_rows = dict(zip(ids, rows, strict=True))
        done(f"{len(ids)} sections")

    # --- members --------------------------------------------------------------------------

    def members(self) -> None:
        """Create members in communes drawn by population; 40 % sympathisants."""
        done = _timer()
        rng, password = self.rng, hash_password(SCALE_PASSWORD)
        home = max(self.communes, key=lambda c: c.population)
        drawn = rng.choices(self.communes, weights=[c.population for c in self.communes],
                            k=self.members_wanted - len(ACCOUNTS))
        rows = []
        for n, commune in enumerate([home] * len(ACCOUNTS) + drawn):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            status = "sympathisant" if n >= len(ACCOUNTS) and rng.random() < 0.4 else "adherent"
            created = _ago(rng, 1500, 30)
            email = (ACCOUNTS[n] if n < len(ACCOUNTS)
                     else f"{fold(first)}.{fold(last)}.{n}@exemple.fr".replace(" ", "-"))
            rows.append({
                "email": email, "password_hash": password, "display_name": f"{first} {last}",
                "commune_insee": commune.insee, "section_id": self.places[commune.insee][0],
                "status": status, "skills": "", "bio": "",
                "adherent_confirmed_at": (created if status == "adherent"
                                          and (n < len(ACCOUNTS) or rng.random() < 0.95) else None),
                "visibility": rng.choice(("section", "section", "members", "organisers")),
                "mobilisation_consent_at": created if rng.random() < 0.3 else None,
                "email_confirmed_at": created, "session_nonce": f"s{n}",
                "created_at": created, "last_seen_at": _ago(rng, 60)})
        self.member_ids = _insert(Member, rows, ids=True)
        self.rows = rows
        self.by_section = defaultdict(list)
        for member_id, row in zip(self.member_ids, rows, strict=True):
            self.by_section[row["section_id"]].append(member_id)
        self.adherents = [m for m, r in zip(self.member_ids, rows, strict=True)
                          if r["adherent_confirmed_at"] is not None]
        self.home_section = rows[0]["section_id"]
        self.theme_ids = list(db.session.scalars(select(Theme.id).order_by(Theme.id)))
        _insert(member_interest, [{"member_id": m, "theme_id": t} for m in self.member_ids
                                  for t in rng.sample(self.theme_ids, rng.randint(0, 3))])
        done(f"{len(rows)} members ({len(self.adherents)} confirmed adhérents), home: {home.name}")

    def roles(self) -> None:
        """Give each section a secretary and most an organiser; name national admins."""
        done = _timer()
        rng, admin, secretary = self.rng, self.member_ids[0], self.member_ids[1]
        rows = [{"member_id": admin, "role": "admin", "granted_at": self.now}]
        rows += [{"member_id": m, "role": "admin", "granted_at": self.now}
                 for m in rng.sample(self.member_ids[len(ACCOUNTS):], 2)]
        self.organisers = {}
        for section_id in self.section_ids:
            people = self.by_section.get(section_id)
            if not people:
                continue
            chosen = secretary if section_id == self.home_section else rng.choice(people)
            rows.append({"member_id": chosen, "role": "secretary", "section_id": section_id,
                         "granted_at": self.now})
            self.organisers[section_id] = rng.choice(people)
            rows.append({"member_id": self.organisers[section_id], "role": "organiser",
                         "section_id": section_id, "granted_at": self.now})
        _insert(Role, [{"federation_code": None, "section_id": None, **r} for r in rows])
        done(f"{len(rows)} roles")

    # --- groups ---------------------------------------------------------------------------

    def groups(self) -> None:
        """Create 2,500 groups: a dozen national ones above 1,000 members, many small ones."""
        done = _timer()
        rng, themes = self.rng, dict(db.session.execute(select(Theme.id, Theme.name)).all())
        names, sizes = set(), list(BIG_GROUPS)
        sizes += [max(1, min(600, int(rng.lognormvariate(2.6, 0.9))))
                  for _ in range(GROUPS - len(BIG_GROUPS))]
        local_sections = [s for s in self.section_ids if len(self.by_section.get(s, ())) >= 3]
        rows, plans = [], []
        for n, size in enumerate(sizes):
            theme_id = rng.choice(self.theme_ids)
            local = n >= len(BIG_GROUPS) + 300
            section_id = rng.choice(local_sections) if local else None
            place = self.places_name(section_id) if local else rng.choice(("France", "national"))
            name = (BIGGEST_GROUP if n == 0 else
                    f"{rng.choice(GROUP_WORDS)} {themes[theme_id]} – {place}")
            while fold(name) in names:
                name += " bis"
            names.add(fold(name))
            pool = self.by_section[section_id] if local else self.member_ids
            chosen = rng.sample(pool, min(size, len(pool)))
            if n == 0:
                chosen = [m for m in chosen if m not in self.member_ids[:4]][:size - 3]
                chosen = [self.member_ids[2], self.member_ids[3], self.member_ids[1]] + chosen
            plans.append((chosen, theme_id))
            rows.append({"slug": slugify(name) + (f"-{n}" if n else ""), "name": name,
                         "search_name": fold(name), "description": f"Le groupe {name}.",
                         "section_id": section_id,
                         "federation_code": self.federation_of(section_id),
                         "is_open": n < len(BIG_GROUPS) or rng.random() < 0.85,
                         "member_count": len(chosen), "created_by_id": chosen[0],
                         "created_at": _ago(rng, 800, 100), "last_activity_at": _ago(rng, 90),
                         "archived_at": None})
        self.group_ids = _insert(Group, rows, ids=True)
        self.group_members = {g: plan[0] for g, plan in zip(self.group_ids, plans, strict=True)}
        links, memberships = [], []
        for group_id, (chosen, theme_id) in zip(self.group_ids, plans, strict=True):
            links.append({"group_id": group_id, "theme_id": theme_id})
            for k, member_id in enumerate(chosen):
                joined = _ago(rng, 700)
                memberships.append({
                    "group_id": group_id, "member_id": member_id, "status": "active",
                    "role": "animateur" if k < 2 else "member",
                    "notify": rng.choice(("threads", "digest", "digest", "none")),
                    "requested_at": joined, "joined_at": joined, "digest_sent_at": None})
        _insert(group_theme, links)
        _insert(GroupMembership, memberships)
        done(f"{len(rows)} groups, {len(memberships)} memberships")

    def places_name(self, section_id) -> str:
        return self.section_rows[section_id]["name"]

    def federation_of(self, section_id):
        return None if section_id is None else self.section_rows[section_id]["federation_code"]

    def posts(self) -> None:
        """Write discussions: 10,000 posts in the largest group, a few threads elsewhere."""
        done = _timer()
        rng, threads, plans = self.rng, [], []
        for n, group_id in enumerate(self.group_ids):
            count = 1000 if n == 0 else (rng.randint(20, 60) if n < len(BIG_GROUPS)
                                         else rng.randint(0, 4))
            people = self.group_members[group_id]
            for _ in range(count):
                started = _ago(rng, 400, 1)
                replies = (9 if n == 0 else rng.randint(0, 6))
                times = sorted(started + timedelta(hours=rng.uniform(0.1, 200))
                               for _ in range(replies))
                times = [min(t, self.now) for t in times]
                threads.append({"group_id": group_id, "parent_id": None,
                                "author_id": rng.choice(people),
                                "title": rng.choice(SENTENCES)[:60].rstrip(" .?!"),
                                "body": " ".join(rng.sample(SENTENCES, 3)), "created_at": started,
                                "reply_count": replies, "report_count": 0, "hidden_reason": "",
                                "last_activity_at": times[-1] if times else started})
                plans.append((group_id, people, times))
        thread_ids = _insert(Post, threads, ids=True)
        replies = [{"group_id": group_id, "parent_id": thread_id, "author_id": rng.choice(people),
                    "title": "", "body": rng.choice(SENTENCES), "created_at": at,
                    "reply_count": 0, "report_count": 0, "hidden_reason": "",
                    "last_activity_at": at}
                   for thread_id, (group_id, people, times) in zip(thread_ids, plans, strict=True)
                   for at in times]
        _insert(Post, replies)
        latest = db.session.execute(select(Post.group_id, func.max(Post.last_activity_at))
                                    .where(Post.parent_id.is_(None)).group_by(Post.group_id))
        db.session.execute(update(Group), [{"id": g, "last_activity_at": at} for g, at in latest])
        big, people = self.group_ids[0], self.group_members[self.group_ids[0]]
        proposals = [{"group_id": big, "author_id": rng.choice(people), "theme_id": None,
                      "title": f"Proposition {k + 1} : {rng.choice(SENTENCES)}"[:200],
                      "body": " ".join(rng.sample(SENTENCES, 4)), "status": "draft",
                      "support_count": rng.randint(0, 300), "created_at": _ago(rng, 60)}
                     for k in range(12)]
        ids = _insert(Proposal, proposals, ids=True)
        _insert(ProposalSupport, [{"proposal_id": p, "member_id": m, "created_at": self.now}
                                  for p, row in zip(ids, proposals, strict=True)
                                  for m in rng.sample(people, row["support_count"])])
        done(f"{len(threads) + len(replies)} posts, {len(proposals)} proposals")

    # --- events ---------------------------------------------------------------------------

    def events(self) -> None:
        """Create 2,000 past and 400 upcoming events; most upcoming ones have under ten RSVPs."""
        done = _timer()
        rng, rows, crowds = self.rng, [], []
        hosts = [s for s in self.section_ids if s in self.organisers]
        weights = [len(self.by_section[s]) for s in hosts]
        communes = defaultdict(list)
        for insee, (section_id, _fed) in self.places.items():
            communes[section_id].append(insee)
        for n in range(2400):
            upcoming = n >= 2000
            section_id = (self.home_section if upcoming and n % 40 == 0
                          else rng.choices(hosts, weights)[0])
            kind = rng.choice(KINDS)
            starts = (self.now + timedelta(hours=rng.uniform(2, 24 * 60)) if upcoming
                      else _ago(rng, 730, 1))
            capacity = rng.choice((None, None, 12, 20, 30, 50))
            crowd = (min(int(rng.expovariate(1 / 4)), 40) if upcoming
                     else int(rng.uniform(4, 36)))
            if upcoming and n % 50 == 1:
                crowd = rng.randint(60, 150)
            crowds.append((section_id, crowd, capacity, upcoming))
            rows.append({
                "kind": kind, "title": f"{EVENT_TITLES[kind]} – {self.places_name(section_id)}",
                "description": " ".join(rng.sample(SENTENCES, 3)), "starts_at": starts,
                "ends_at": starts + timedelta(hours=2), "place_name": "Salle des fêtes",
                "address": f"{rng.randint(1, 120)} rue de la République",
                "commune_insee": rng.choice(communes[section_id]), "section_id": section_id,
                "organiser_id": self.organisers[section_id],
                "theme_id": rng.choice(self.theme_ids), "capacity": capacity, "going_count": 0,
                "visibility": "public" if rng.random() < 0.8 else "members", "online_url": "",
                "status": "cancelled" if rng.random() < 0.03 else "scheduled",
                "report": "" if upcoming else "Belle mobilisation.", "attendance": None,
                "created_at": starts - timedelta(days=14)})
        event_ids = _insert(Event, rows, ids=True)
        rsvps, counts = [], []
        for event_id, (section_id, crowd, capacity, upcoming) in zip(event_ids, crowds,
                                                                     strict=True):
            pool = self.by_section[section_id]
            people = rng.sample(pool, min(crowd, len(pool)))
            if upcoming:
                people = [m for m in people if m not in self.member_ids[:4]]
            codes, going = set(), 0
            for member_id in people:
                status = "going" if capacity is None or going < capacity else "waitlisted"
                going += status == "going"
                code = ""
                while not code or code in codes:
                    code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                codes.add(code)
                at = min(self.now, rows[len(counts)]["created_at"]
                         + timedelta(days=rng.uniform(0, 13)))
                rsvps.append({"event_id": event_id, "member_id": member_id, "guest_name": "",
                              "guest_email": None, "status": status, "code": code,
                              "checked_in_at": (None if upcoming or rng.random() < 0.3
                                                else rows[len(counts)]["starts_at"]),
                              "reminded_at": None, "created_at": at, "queued_at": at})
            counts.append({"id": event_id, "going_count": going})
        _insert(Rsvp, rsvps)
        for start in range(0, len(counts), CHUNK):
            db.session.execute(update(Event), counts[start:start + CHUNK])
        done(f"{len(rows)} events, {len(rsvps)} RSVPs")

    # --- consultations --------------------------------------------------------------------

    def consultations(self) -> None:
        """Two closed national consultations (counted by results.close) and an open one."""
        done = _timer()
        # Turnouts: 20,000, 12,000 and 9,000 ballots so far out of 40,000 members.
        plans = (("Nos priorités pour les municipales", "ranking", "adherents", 0.5, -60),
                 ("Le programme logement", "multiple", "adherents", 0.3, -20),
                 ("Nos priorités pour la présidentielle", "ranking", "members", 0.225, 10))
        secretary = db.session.get(Member, self.member_ids[1])
        for title, method, eligibility, voters, closes_in in plans:
            consultation = self.consultation(title, method, eligibility, voters, closes_in)
            if consultation.vote_closes_at <= utcnow():
                results.close(consultation)
                self.syntheses(consultation, secretary)
            db.session.commit()
            done(f"{title}: {consultation.ballots_count or 'vote ouvert'} ballots")

    def consultation(self, title, method, eligibility, voters, closes_in) -> Consultation:
        rng, closes = self.rng, self.now + timedelta(days=closes_in)
        consultation = Consultation(
            title=title, context="Chaque adhérent·e classe ses priorités.", method=method,
            eligibility=eligibility, max_choices=5,
            contributions_open_at=closes - timedelta(days=30),
            vote_opens_at=closes - timedelta(days=14), vote_closes_at=closes,
            syntheses_due_at=closes + timedelta(days=21), created_at=closes - timedelta(days=40))
        db.session.add(consultation)
        db.session.flush()
        option_ids = _insert(Option, [
            {"consultation_id": consultation.id, "title": f"Priorité {k + 1} : {theme}",
             "text": rng.choice(SENTENCES), "origin": "organiser", "status": "accepted",
             "group_name": "", "reject_reason": "", "created_at": consultation.created_at}
            for k, theme in enumerate(db.session.scalars(select(Theme.name).order_by(Theme.id)))
        ], ids=True)
        pool = self.adherents if eligibility == "adherents" else self.member_ids
        pool = [m for m in pool if m not in self.member_ids[:len(ACCOUNTS)]]
        chosen = rng.sample(pool, min(len(pool), round(voters * self.members_wanted)))
        rows = {m: r for m, r in zip(self.member_ids, self.rows, strict=True)}
        weights = list(range(len(option_ids), 0, -1))
        ballots, choices, participations, keys = [], [], [], set()
        for member_id in chosen:
            key = rng.getrandbits(62) + 1
            while key in keys:
                key = rng.getrandbits(62) + 1
            keys.add(key)
            section_id, federation = self.places[rows[member_id]["commune_insee"]]
            ballots.append({"id": key, "consultation_id": consultation.id,
                            "section_id": section_id, "federation_code": federation})
            participations.append({"consultation_id": consultation.id, "member_id": member_id,
                                   "section_id": section_id, "ballot_id": key,
                                   "created_at": closes - timedelta(days=rng.uniform(0.1, 13))})
            picked = set()
            while len(picked) < rng.randint(1, 5):
                picked.add(rng.choices(option_ids, weights)[0])
            choices += [{"ballot_id": key, "option_id": o, "value": 1 if method == "multiple"
                         else rank} for rank, o in enumerate(sorted(picked, key=str), start=1)]
        _insert(Ballot, ballots)
        _insert(BallotChoice, choices)
        _insert(Participation, participations)
        return consultation

    def syntheses(self, consultation: Consultation, secretary: Member) -> None:
        """Have the home section and a few fédérations write their syntheses."""
        section = db.session.get(Section, self.home_section)
        rollup.save_synthesis(consultation, "section", str(section.id), section.federation_code,
                              "Notre section place le logement en tête.", True, secretary)
        for code in sorted({f for _s, f in self.places.values()})[:4]:
            rollup.save_synthesis(consultation, "federation", code, code,
                                  "Synthèse des débats de la fédération.", True, secretary)


def seed_scale(seed: int = 1, members: int = 40000) -> None:
    """Build the national dataset in an initialised, empty database (run `flask init` first)."""
    if not db.session.scalar(select(func.count()).select_from(Commune)):
        raise click.ClickException("Charge d'abord la géographie : flask init.")
    if db.session.scalar(select(func.count()).select_from(Member)):
        raise click.ClickException("La base contient déjà des membres : pars d'une base vide.")
    if members < 1000:
        raise click.ClickException("Il faut au moins 1000 membres.")
    started = time.perf_counter()
    click.echo(f"Jeu national (graine {seed}, {members} membres) :")
    Builder(seed, members).run()
    refresh_statistics(db.session)
    db.session.commit()
    click.echo(f"Terminé en {time.perf_counter() - started:.0f} s. Comptes (mot de passe "
               f"« {SCALE_PASSWORD} ») : " + ", ".join(ACCOUNTS))
