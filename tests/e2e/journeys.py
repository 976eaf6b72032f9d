"""What members do, step by step: one function per journey, run in every browsing mode.

A journey takes a `Visitor` (tests/e2e/browser.py) and the live server. It says what the
member does (`v.fill`, `v.button`, `v.link`...) and what they must see (`v.expect_page`,
Playwright's `expect`); with JavaScript on it also asserts that the htmx swaps happened in
place; it checks each page it reaches with axe-core (`v.check`). A new feature adds its journey
here and its name to JOURNEYS.
"""

import re

from playwright.sync_api import expect

from tests.e2e.server import DEMO_PASSWORD

PASSWORD = "un-mot-de-passe-solide"
NEW_PASSWORD = "un-autre-mot-de-passe"
WELCOME = "Coopol, la coopérative politique"
REGISTER_PASSWORD = "Mot de passe (10 caractères au moins)"


def flash(v, text: str) -> None:
    """The message is shown in the announced (aria-live) flash region."""
    expect(v.page.locator("#flashes[aria-live]")).to_contain_text(text)


def log_in(v, email: str, password: str) -> None:
    v.fill("Adresse e-mail", email)
    v.fill("Mot de passe", password)
    v.button("Me connecter")


def log_out(v) -> None:
    v.button("Déconnexion")
    v.expect_page(WELCOME)
    flash(v, "Tu es déconnecté·e")


def register(v, email: str, name: str, place: str) -> None:
    """Fill the sign-up form (the place picker is left to the caller)."""
    v.fill("Adresse e-mail", email)
    v.fill(REGISTER_PASSWORD, PASSWORD)
    v.fill("Nom affiché", name)
    if v.js:
        v.mark()
    v.fill("Code postal ou commune", place)


def mail_link(server, email: str, path: str) -> str:
    """The link to `path` in the last mail sent to `email`."""
    for message in reversed(server.deliver_mail()):
        text = message.get_body(("plain",)).get_content()
        found = re.search(r"\S+" + re.escape(path) + r"\S+", text)
        if message["To"] == email and found:
            return found.group(0)
    raise AssertionError(f"no mail with {path} for {email}")


def reset_link(server, email: str) -> str:
    """The password reset link of the last mail sent to `email`."""
    return mail_link(server, email, "/auth/reset/")


def activate(v, server, email: str) -> None:
    """After signing up: the account works once the mailed link is clicked."""
    v.expect_page("Connexion")
    flash(v, "Presque fini")
    v.goto(mail_link(server, email, "/auth/confirm/"))


def sign_up_in_grenoble(v, server) -> None:
    """Issue 2's journey: sign up, fill the profile, consent, log out and in, reset the password."""
    email = f"lea.{v.mode}@exemple.fr"
    v.goto("/")
    v.expect_page(WELCOME)
    v.check("welcome")
    v.link("Je m'inscris")
    v.expect_page("Rejoindre Coopol")
    v.check("register")
    register(v, email, "Léa", "38000")
    if v.js:  # the commune picker appears while typing, in place, and is announced
        expect(v.page.locator("[aria-live] > #commune_field select option:checked")).to_have_text(
            "Grenoble (38000, 38100)")
        v.assert_same_page()
        expect(v.page.get_by_label("Code postal ou commune", exact=True)).to_be_focused()
        v.check("register with commune")
    v.button("Créer mon compte")
    activate(v, server, email)

    v.expect_page("Mon profil")
    flash(v, "Bienvenue")
    v.check("profile edit")
    v.tick("Logement")
    v.tick("Santé")
    v.button("Enregistrer")

    v.expect_page("Léa")
    flash(v, "Ton profil est enregistré")
    expect(v.page.locator(".facts")).to_contain_text("Grenoble")
    expect(v.page.locator(".tags")).to_contain_text("Logement")
    consent = v.page.locator("#consent")
    before = consent.element_handle() if v.js else None
    if v.js:
        v.mark()
    v.button("Je donne mon accord", consent)
    expect(v.page.locator("#consent")).to_contain_text("Accord donné le")
    flash(v, "Accord enregistré")
    if v.js:  # swapped in place; the focus moved to the new button
        v.assert_same_page()
        assert not before.evaluate("e => e.isConnected")
        expect(v.page.get_by_role("button", name="Retirer mon accord")).to_be_focused()
    v.check("profile with consent")

    log_out(v)
    v.link("Connexion")
    v.expect_page("Connexion")
    v.check("login")
    log_in(v, email, PASSWORD)
    v.expect_page("Bonjour Léa")
    expect(v.page.locator("#section-title + p")).to_contain_text("Grenoble")
    v.check("member home")

    log_out(v)
    v.link("Connexion")
    v.link("Mot de passe oublié ?")
    v.expect_page("Mot de passe oublié")
    v.check("forgot password")
    v.fill("Adresse e-mail", email)
    v.button("Envoyer le lien")
    v.expect_page("Connexion")
    flash(v, "Si un compte existe pour cette adresse")

    v.goto(reset_link(server, email))
    v.expect_page("Choisis un nouveau mot de passe")
    v.check("reset password")
    v.fill("Nouveau mot de passe", NEW_PASSWORD)
    v.fill("Encore une fois", NEW_PASSWORD)
    v.button("Enregistrer")
    v.expect_page("Bonjour Léa")
    flash(v, "Ton mot de passe est changé")
    expect(v.page.get_by_role("button", name="Déconnexion")).to_be_visible()


def sign_up_with_shared_postal_code(v, server) -> None:
    """95000 is Cergy's and its neighbours' postal code: the member picks Cergy."""
    email = f"karim.{v.mode}@exemple.fr"
    v.goto("/auth/register")
    v.expect_page("Rejoindre Coopol")
    register(v, email, "Karim", "95000")
    if v.js:
        expect(v.page.locator("#commune_field select option")).not_to_have_count(1)
        v.assert_same_page()
    else:  # without JavaScript the server asks, keeping what was typed but the password
        v.button("Créer mon compte")
        v.expect_page("Rejoindre Coopol")
        expect(v.page.locator("#commune-error")).to_contain_text("Plusieurs communes")
        expect(v.page.get_by_label("Adresse e-mail", exact=True)).to_have_value(email)
        v.fill(REGISTER_PASSWORD, PASSWORD)
    v.check("register, commune to pick")
    v.choose("Commune", "Cergy (95000, 95800)")
    v.button("Créer mon compte")
    activate(v, server, email)
    v.expect_page("Mon profil")
    v.link("Mon profil")
    v.expect_page("Karim")
    expect(v.page.locator(".facts")).to_contain_text("Cergy")
    expect(v.page.locator(".facts")).to_contain_text("Cergy-Pontoise")


def administer(v, server) -> None:
    """The national admin creates a section, names its secretary, adds and removes a theme."""
    suffix = {"js": "A", "nojs": "B", "keyboard": "C"}[v.mode]
    section = f"Échirolles {suffix}"
    theme = f"Vélo {suffix}"
    v.goto("/auth/login")
    log_in(v, "admin@demo.coopol.fr", DEMO_PASSWORD)
    v.expect_page("Bonjour Camille Admin")
    v.link("Outils")
    v.expect_page("Mes outils de responsable")
    v.check("tools")
    v.link("Sections")
    v.expect_page("Sections")
    v.check("admin sections")
    v.link("Créer une section")
    v.expect_page("Nouvelle section")
    v.check("admin new section")
    v.fill("Nom de la section", section)
    v.choose("Fédération", "Isère (38)")
    v.fill("Communes : codes postaux ou codes INSEE", "38151")
    v.button("Enregistrer")
    v.expect_page("Sections")
    flash(v, f"Section « {section} » enregistrée")
    v.link(section)
    v.expect_page(section)
    v.check("admin section")
    v.fill("Adresse e-mail du membre", "karim@demo.coopol.fr")
    v.button("Donner le rôle")
    v.expect_page(section)
    flash(v, "Rôle donné à Karim Haddad")

    v.goto("/admin/")
    v.expect_page("Administration nationale")
    v.check("admin")
    v.link("Thèmes")
    v.expect_page("Thèmes")
    v.check("admin themes")
    v.fill("Nom du thème", theme)
    v.button("Ajouter")
    flash(v, f"Thème « {theme} » ajouté")
    v.button(f"Supprimer le thème {theme}")
    flash(v, f"Thème « {theme} » supprimé")
    expect(v.page.locator(".rows")).not_to_contain_text(theme)

    v.goto("/admin/")
    v.link("Rôles")
    v.expect_page("Rôles")
    expect(v.page.locator(".rows")).to_contain_text(f"Karim Haddad — Secrétaire, {section}")
    v.check("admin roles")
    v.goto("/admin/")
    v.link("Adhésions à confirmer")
    v.expect_page("Adhésions à confirmer")
    v.check("pending adherents")
    v.goto("/nulle-part")
    v.expect_page("Page introuvable")
    v.check("error page")


JOURNEYS = [sign_up_in_grenoble, sign_up_with_shared_postal_code, administer]
