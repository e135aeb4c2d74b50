"""Benchmark of the facilitators' people search: ``python -m benchmarks.people``.

Builds a throwaway PostgreSQL database (at TEST_POSTGRES_URL or 127.0.0.1:5432; SQLite is left
out: a million rows there measure the build, not the search) holding one territory with
1 000 000 candidates, built in SQL (INSERT … SELECT over generate_series, seeded random()):
first names and the most common last names from seeds/demo/names.py, drawn with a skew (a few
names are frequent, as in life), plus about 60 000 rarer last names made of the beginning of one
real name and the end of another ("Dia" + "rtin"); 20 communes, a third of the people with a
validated criterion and a third with a declared one. Their `candidate_name_words` rows (words
and skeletons) come from a small table of each name's words computed in Python, joined in SQL.

Then runs labelled queries (what a facilitator types for a person drawn at random: exact, accents
and case lost, a typo in the middle, a typo in the first letters, the last name alone with such a
typo, the two words inverted, with the person's commune, with her eligibility state) through the
real search function, and prints in French per label the median and 95th-percentile latency, how
often the person was on the first page, how often her name was (a namesake may come first: the
search cannot tell two "Fatou Diallo" apart without the birth date), and how often a retrieval
reached its bound. Nothing is timed in the test suite: figures depend on the machine.
"""
import argparse
import random
import statistics
import time
import unicodedata
from datetime import date, datetime

import click
import sqlalchemy as sa

from benchmarks import common

SEED = 2024
COMMUNES = 20
VOWELS = "aeiouyéèêëàâîïôûü"


def _rare_last_names(real: list[str]) -> list[str]:
    """Names made of the beginning of a real name (up to its first vowels) and the end of another
    (after its first vowels): "Diallo" + "Martin" → "Diartin"."""
    def cut(name: str) -> int:
        i = next((k for k, c in enumerate(name.lower()) if c in VOWELS), len(name))
        while i < len(name) and name[i].lower() in VOWELS:
            i += 1
        return i
    made = {a[:cut(a)] + b[cut(b):] for a in real for b in real if " " not in a + b and "-" not in a + b}
    return sorted(made - set(real) - {""})


def _name_tables(connection, first: list[str], last: list[str]) -> None:
    """bench_first (i, name), bench_last (i, name) and bench_words (name, word, skeleton)."""
    from clausematch.candidates.name_words import name_words
    from clausematch.text import skeleton

    connection.execute(sa.text("CREATE TABLE bench_first (i int PRIMARY KEY, name text)"))
    connection.execute(sa.text("CREATE TABLE bench_last (i int PRIMARY KEY, name text)"))
    connection.execute(sa.text("CREATE TABLE bench_words (name text, word text, skeleton text)"))
    connection.execute(sa.text("INSERT INTO bench_first VALUES (:i, :name)"),
                       [{"i": i, "name": name} for i, name in enumerate(first)])
    connection.execute(sa.text("INSERT INTO bench_last VALUES (:i, :name)"),
                       [{"i": i, "name": name} for i, name in enumerate(last)])
    connection.execute(sa.text("INSERT INTO bench_words VALUES (:name, :word, :skeleton)"),
                       [{"name": name, "word": word, "skeleton": skeleton(word)}
                        for name in sorted(set(first) | set(last)) for word in name_words(name, None)])
    connection.execute(sa.text("CREATE INDEX ON bench_words (name)"))


def _owners(db) -> dict:
    """The territory, its facilitator (who searches), 10 prescribers and 20 communes."""
    from clausematch import models as m
    from clausematch.accounts.models import PrescriberKind, Role

    territory = m.Territory(name="Banc d'essai des personnes")
    team = m.FacilitatorTeam(territory=territory, name="Équipe du banc d'essai")
    user = m.User(email="banc-personnes@exemple.fr", full_name="Banc d'essai", role=Role.FACILITATOR)
    prescribers = [m.Prescriber(territory=territory, name=f"Prescripteur {i}",
                                prescriber_kind=PrescriberKind.FRANCE_TRAVAIL) for i in range(10)]
    communes = [m.Commune(insee_code=f"93{i:03d}", name=f"Commune {i}", kind="COM", department="93",
                          postcodes=f"93{i:03d}", latitude=48.9, longitude=2.4, population=1000)
                for i in range(1, COMMUNES + 1)]
    db.session.add_all([territory, team, user, *prescribers, *communes, m.Membership(user=user, organisation=team)])
    db.session.commit()
    return {"territory": territory.id, "user": user.id, "prescribers": [p.id for p in prescribers]}


def fill(db, people: int, first: list[str], last: list[str], real_last: int) -> dict:
    """Schema, owners and `people` candidates with their name words; returns the owners' ids."""
    db.create_all()
    ids = _owners(db)
    connection = db.session.connection()
    _name_tables(connection, first, last)
    low, high = min(ids["prescribers"]), max(ids["prescribers"])
    connection.execute(sa.text("SELECT setseed(0.2024)"))
    # A real last name for 30 % of the people, a rarer one for the others; both drawn with a skew.
    connection.execute(sa.text(f"""
        INSERT INTO candidates (id, version, territory_id, prescriber_id, first_name, last_name, name_key,
            birth_date, gender, education_level, desired_jobs_text, skills, experience, mobility_km,
            driving_licence, certificates, available, commune_insee, created_at, updated_at)
        SELECT d.g, 1, {ids['territory']}, {low} + d.g % {high - low + 1}, f.name, l.name,
               lower(f.name || ' ' || l.name), DATE '1960-01-01' + (d.g * 37) % 16000, 'f', 'cap_bep', '', '', '',
               30, false, '', true,
               CASE WHEN d.g % 20 = 0 THEN NULL ELSE '93' || lpad((1 + d.g % {COMMUNES})::text, 3, '0') END,
               now(), now()
        FROM (SELECT g, floor(:nf * power(random(), 1.5))::int AS fi,
                     CASE WHEN random() < 0.3 THEN floor(:nr * power(random(), 1.3))::int
                          ELSE :nr + floor((:nl - :nr) * power(random(), 1.3))::int END AS li
              FROM generate_series(1, :n) AS g) AS d
        JOIN bench_first f ON f.i = d.fi JOIN bench_last l ON l.i = d.li
    """), {"n": people, "nf": len(first), "nl": len(last), "nr": real_last})
    now = datetime(2026, 3, 1)
    connection.execute(sa.text("""
        INSERT INTO eligibility_criteria (candidate_id, criterion, evidence, declared_at, status, validated_at,
                                          valid_until)
        SELECT id, 'rsa', 'vu', :now, CASE WHEN id % 3 = 1 THEN 'validated' ELSE 'declared' END,
               CASE WHEN id % 3 = 1 THEN CAST(:now AS timestamp) END, CASE WHEN id % 3 = 1 THEN :until END
        FROM candidates WHERE id % 3 <> 0
    """), {"now": now, "until": date(2026, 12, 31)})
    connection.execute(sa.text("""
        INSERT INTO candidate_name_words (candidate_id, word, skeleton)
        SELECT c.id, w.word, w.skeleton FROM candidates c JOIN bench_words w ON w.name = c.first_name
        UNION
        SELECT c.id, w.word, w.skeleton FROM candidates c JOIN bench_words w ON w.name = c.last_name
    """))
    db.session.commit()
    # Statistics and visibility map, as autovacuum leaves a live database (index-only scans).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(sa.text("VACUUM ANALYZE"))
    return ids


# --- What people type -----------------------------------------------------------------------------

def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(rng: random.Random, word: str, first_letters: bool) -> str:
    """One typo in the first three letters, or after them: two neighbours swapped, a letter left
    out, doubled, or changed (a vowel for a vowel, or any letter)."""
    word = _plain(word).lower()
    low, high = (0, min(2, len(word) - 1)) if first_letters else (3, len(word) - 1)
    if high <= low:
        return word
    i = rng.randint(low, high - 1 if first_letters else high)
    kind = rng.choice(("swap", "drop", "double", "vowel", "letter"))
    if kind == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "vowel" and word[i] in "aeiouy":
        return word[:i] + rng.choice([v for v in "aeiouy" if v != word[i]]) + word[i + 1:]
    return word[:i] + rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[i]]) + word[i + 1:]


STATES = {0: "none", 1: "valid", 2: "to_validate"}  # by id % 3, as fill() writes the criteria
LABELS = ("exact", "accents et casse perdus", "faute au milieu du nom", "faute dans les 3 premières lettres du nom",
          "nom seul, faute dans les 3 premières lettres", "prénom et nom inversés, faute au début du prénom",
          "avec la commune, faute au début du nom", "avec l'état d'éligibilité, faute au milieu")


def queries(rng: random.Random, people: list, per_label: int) -> list[tuple[str, int, object]]:
    """(label, expected candidate id, SearchFilters) for `per_label` people drawn per label."""
    from clausematch.candidates.eligibility import EligibilityState
    from clausematch.candidates.search import SearchFilters

    made = []
    for label in LABELS:
        for ident, first, last, commune in rng.sample(people, per_label):
            name = {
                LABELS[0]: f"{first} {last}",
                LABELS[1]: _plain(f"{first} {last}").upper() if rng.random() < 0.5 else _plain(f"{first} {last}"),
                LABELS[2]: f"{first} {_typo(rng, last, False)}",
                LABELS[3]: f"{first} {_typo(rng, last, True)}",
                LABELS[4]: _typo(rng, last, True),
                LABELS[5]: f"{last} {_typo(rng, first, True)}",
                LABELS[6]: f"{first} {_typo(rng, last, True)}",
                LABELS[7]: f"{first} {_typo(rng, last, False)}",
            }[label]
            filters = SearchFilters(name=name)
            if label == LABELS[6] and commune:
                filters = SearchFilters(name=name, communes=frozenset({commune}))
            if label == LABELS[7]:
                filters = SearchFilters(name=name, state=EligibilityState(STATES[ident % 3]))
            made.append((label, ident, filters))
    return made


def run(url: str, people: int, per_label: int) -> None:
    from clausematch import create_app
    from clausematch.accounts.models import User
    from clausematch.candidates.models import Candidate
    from clausematch.candidates.search import search
    from clausematch.extensions import db
    from clausematch.text import normalise
    from seeds.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES

    rng = random.Random(SEED)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        started = time.perf_counter()
        first = sorted(set(FEMALE_FIRST_NAMES) | set(MALE_FIRST_NAMES))
        rng.shuffle(first)
        real = list(dict.fromkeys(LAST_NAMES))
        ids = fill(db, people, first, real + _rare_last_names(real), len(real))
        click.echo(f"  Préparation : {common.count(people)} personnes en {time.perf_counter() - started:.0f} s")
        drawn = db.session.execute(sa.select(Candidate.id, Candidate.first_name, Candidate.last_name,
                                             Candidate.commune_insee)
                                   .where(Candidate.id.in_(rng.sample(range(1, people + 1), 10 * per_label)))).all()
        user = db.session.get(User, ids["user"])
        today = date(2026, 3, 1)
        results: dict[str, list[tuple[float, bool, bool, bool]]] = {}
        missed: dict[str, list[str]] = {}
        for label, expected, filters in queries(rng, [tuple(r) for r in drawn], per_label):
            person = next(r for r in drawn if r.id == expected)
            began = time.perf_counter()
            result = search(user, filters, 1, today)
            elapsed = time.perf_counter() - began
            target = normalise(f"{person.first_name} {person.last_name}")
            rows = result.page.items
            named = any(normalise(f"{r.first_name} {r.last_name}") == target for r in rows)
            results.setdefault(label, []).append((
                elapsed, any(r.candidate_id == expected for r in rows), named, result.capped))
            if not named:
                missed.setdefault(label, []).append(f"« {filters.name} » ({person.first_name} {person.last_name})")
        _report(results, missed)
        db.session.remove()
        db.engine.dispose()


def _report(results: dict, missed: dict) -> None:
    every = []
    for label, rows in results.items():
        every += rows
        click.echo(f"  {label} ({len(rows)}) : {_line(rows)}")
        if missed.get(label):
            click.echo(f"    nom absent de la 1re page : {' ; '.join(missed[label][:6])}")
    click.echo(f"  Toutes ({len(every)}) : {_line(every)}")


def _line(rows: list) -> str:
    durations = [d for d, *_ in rows]
    p95 = statistics.quantiles(durations, n=20)[18] if len(durations) > 1 else durations[0]
    person, name, capped = (sum(1 for row in rows if row[k]) for k in (1, 2, 3))
    return (f"p50 {common.ms(statistics.median(durations))}, p95 {common.ms(p95)} ; personne en 1re page "
            f"{person}/{len(rows)}, son nom (homonymes compris) {name}/{len(rows)} ; borne atteinte {capped}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mesure la recherche de personnes des facilitateurs.")
    parser.add_argument("--personnes", type=int, default=1_000_000, help="nombre de candidats (1 000 000)")
    parser.add_argument("--par-type", type=int, default=25, help="requêtes par type de saisie (25)")
    args = parser.parse_args(argv)
    click.echo(f"Recherche de personnes : {len(LABELS)} types de saisie × {args.par_type} requêtes sur "
               f"{common.count(args.personnes)} personnes d'un territoire (PostgreSQL)")
    with common.postgres_url() as url:
        if url is None:
            click.echo("PostgreSQL : aucun serveur joignable (TEST_POSTGRES_URL ou 127.0.0.1:5432), mesure ignorée.")
            return
        run(url, args.personnes, args.par_type)


if __name__ == "__main__":
    main()
