"""People who log in: the five demo accounts (README contract) and the rest of the staff."""
from werkzeug.security import generate_password_hash

from clausematch.accounts.models import Membership, OrganisationKind, Role, User
from clausematch.text import normalise
from seeds.demo.common import Plan, slug
from seeds.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES
from seeds.demo.organisations import CITY_SAINT_DENIS, DEMO_COMPANY, FACILITATOR_TEAM, FT_SAINT_DENIS

DEMO_PASSWORD = "clausematch-demo"

# (e-mail, role, organisation name or None): the accounts the README promises.
DEMO_ACCOUNTS: list[tuple[str, Role, str | None]] = [
    ("facilitateur@demo.clausematch.fr", Role.FACILITATOR, FACILITATOR_TEAM),
    ("prescripteur@demo.clausematch.fr", Role.PRESCRIBER, FT_SAINT_DENIS),
    ("entreprise@demo.clausematch.fr", Role.COMPANY, DEMO_COMPANY),
    ("acheteur@demo.clausematch.fr", Role.BUYER, CITY_SAINT_DENIS),
    ("admin@demo.clausematch.fr", Role.ADMIN, None),
]
DEMO_NAMES = {
    Role.FACILITATOR: "Sophie Lambert",
    Role.PRESCRIBER: "Karim Haddad",
    Role.COMPANY: "Jean-Marc Ferreira",
    Role.BUYER: "Claire Dubois",
    Role.ADMIN: "Administration ClauseMatch",
}

# How many staff accounts each kind of organisation has, besides the demo accounts.
STAFF_PER_KIND = {
    OrganisationKind.FACILITATOR: 5,
    OrganisationKind.PRESCRIBER: 2,
    OrganisationKind.COMPANY: 1,
    OrganisationKind.BUYER: 1,
}
ROLE_OF_KIND = {
    OrganisationKind.FACILITATOR: Role.FACILITATOR,
    OrganisationKind.PRESCRIBER: Role.PRESCRIBER,
    OrganisationKind.COMPANY: Role.COMPANY,
    OrganisationKind.BUYER: Role.BUYER,
}


def build_accounts(plan: Plan) -> None:
    """Queue users and memberships; `plan.refs["staff"]` maps an organisation id to its users."""
    rng = plan.rng("accounts")
    # Hashing is deliberately slow: once for everybody.
    password_hash = generate_password_hash(DEMO_PASSWORD)
    orgs = plan.refs["orgs"]
    staff: dict[int, list[dict]] = {org["id"]: [] for org in orgs.values()}
    emails: set[str] = set()

    def add_user(email, full_name, role, org):
        emails.add(email)
        user = plan.add(User, email=email, full_name=full_name, search_name=normalise(full_name), role=role,
                        password_hash=password_hash, is_active=True, last_login_at=None, session_version=1)
        if org is not None:
            plan.add(Membership, user_id=user["id"], organisation_id=org["id"])
            staff[org["id"]].append(user)
        return user

    for email, role, org_name in DEMO_ACCOUNTS:
        add_user(email, DEMO_NAMES[role], role, orgs[org_name] if org_name else None)
    for org in orgs.values():
        extra = STAFF_PER_KIND[org["kind"]] - (1 if org["name"] == FACILITATOR_TEAM else 0)
        for _ in range(extra):
            first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            email = _unique_email(f"{slug(first)}.{slug(last)}", org["name"], emails)
            add_user(email, f"{first} {last}", ROLE_OF_KIND[org["kind"]], org)
    plan.refs["staff"] = staff
    plan.refs["demo_users"] = {role: staff_user for role, staff_user in _demo_users(plan, staff)}


def _unique_email(local: str, org_name: str, taken: set[str]) -> str:
    domain = slug(org_name).replace("-", "")[:24]
    email, n = f"{local}@{domain}.demo.clausematch.fr", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{domain}.demo.clausematch.fr"
    return email


def _demo_users(plan: Plan, staff: dict[int, list[dict]]):
    for email, role, org_name in DEMO_ACCOUNTS:
        if org_name:
            users = staff[plan.refs["orgs"][org_name]["id"]]
            yield role, next(u for u in users if u["email"] == email)


def facilitators(plan: Plan) -> list[dict]:
    return plan.refs["staff"][plan.refs["orgs"][FACILITATOR_TEAM]["id"]]


def staff_of(plan: Plan, org_id: int) -> list[dict]:
    return plan.refs["staff"][org_id]
