"""Each role's main journeys against a database filled by `flask seed scale` (locust, headless,
started by `make loadtest` / `python -m loadtest`; README « Production », « Mesures »).

Every simulated user logs in once (its own seeded account, round robin over the territories) and
then browses with a human think time (1 to 5 s between pages). Requests carry the headers a
reverse proxy terminating HTTPS adds (X-Forwarded-Proto: https, X-Forwarded-For: an address of
its own per simulated user): the server runs with TRUSTED_PROXIES=1, so HTTPS is seen as forced
and the per-IP throttling of the login form counts each simulated user apart.
Page names group URLs by route ([id] for ids) so that locust's statistics read per page.
"""
import itertools
import os
import random
import re

from locust import HttpUser, between, task

from seeds.scale import PASSWORD, email

TERRITORIES = int(os.environ.get("LOADTEST_TERRITORIES", "10"))
ACCOUNTS_PER_TERRITORY = {"facilitateur": 5, "prescripteur": 40, "entreprise": 50, "acheteur": 10}
KEYWORDS = ("macon", "agent d'entretien", "electricien", "peintre", "cuisine", "espaces verts", "plombier",
            "nettoyage", "manoeuvre", "carreleur")
COMMUNES = ("Saint-Denis", "Lyon", "Marseille", "Lille", "Toulouse", "Nantes", "Bordeaux", "Rennes")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_numbers = itertools.count(1)


def _links(html: str, pattern: str) -> list:
    return sorted(set(re.findall(pattern, html)))


class Journey(HttpUser):
    abstract = True
    wait_time = between(1, 5)
    role = ""

    def on_start(self) -> None:
        n = next(_numbers)
        # Behind HTTPS, the CSRF check also wants a same-origin Referer on forms sent.
        self.client.headers.update({"X-Forwarded-Proto": "https",
                                    "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                                    "Referer": self.host.replace("http://", "https://", 1) + "/"})
        per_territory = ACCOUNTS_PER_TERRITORY[self.role]
        account = email(self.role, n % TERRITORIES, (n // TERRITORIES) % per_territory)
        page = self.client.get("/connexion", name="/connexion")
        token = CSRF.search(page.text)
        with self.client.post("/connexion", name="/connexion (envoi)", catch_response=True,
                              data={"email": account, "password": PASSWORD,
                                    "csrf_token": token.group(1) if token else ""}) as response:
            if "/connexion" in response.url:
                response.failure(f"connexion refusée pour {account}")
        self.prepare()

    def prepare(self) -> None:
        """Ids the journeys use, read from the user's own pages."""

    def page(self, path: str, name: str | None = None):
        return self.client.get(path, name=name or path)

    @task(1)
    def board_search(self) -> None:
        query = random.choice(KEYWORDS)
        if random.random() < 0.5:
            self.page(f"/offres?q={query}", "/offres?q=…")
        else:
            self.page(f"/offres?q={query}&commune={random.choice(COMMUNES)}&rayon=20", "/offres?q=…&commune=…")


class Facilitator(Journey):
    role = "facilitateur"
    weight = 3

    def prepare(self) -> None:
        self.offers = _links(self.page("/facilitateur/offres").text, r'/gestion/offres/(\d+)"')
        self.grids = _links(self.page("/heures/a-valider").text, r'/heures/lots/(\d+)/(\d{4}-\d{2})"')

    @task(4)
    def home(self) -> None:
        self.page("/facilitateur")

    @task(2)
    def suggested_candidates(self) -> None:
        if self.offers:
            self.page(f"/gestion/offres/{random.choice(self.offers)}/candidats-suggeres",
                      "/gestion/offres/[id]/candidats-suggeres")

    @task(3)
    def report(self) -> None:
        self.page(f"/rapports/{random.choice(('entonnoir', 'heures', 'publics', 'sorties', 'alertes'))}",
                  "/rapports/[rapport]")

    @task(1)
    def export(self) -> None:
        self.page("/rapports/heures/export.csv")

    @task(2)
    def hours_grid_and_validation(self) -> None:
        self.page("/heures/a-valider")
        if not self.grids:
            return
        lot, month = random.choice(self.grids)
        grid = self.page(f"/heures/lots/{lot}/{month}", "/heures/lots/[id]/[mois]")
        token = CSRF.search(grid.text)
        if token and random.random() < 0.3:
            self.client.post(f"/heures/lots/{lot}/{month}/valider", data={"csrf_token": token.group(1)},
                             name="/heures/lots/[id]/[mois]/valider")
            self.grids.remove((lot, month))


class Prescriber(Journey):
    role = "prescripteur"
    weight = 4

    def prepare(self) -> None:
        self.candidates = _links(self.page("/candidats").text, r'/candidats/(\d+)"')

    @task(3)
    def home(self) -> None:
        self.page("/prescripteur")

    @task(3)
    def candidate_list(self) -> None:
        self.page(f"/candidats?page={random.randint(1, 3)}", "/candidats?page=…")

    @task(3)
    def suggested_offers(self) -> None:
        if self.candidates:
            self.page(f"/candidats/{random.choice(self.candidates)}/offres-suggerees",
                      "/candidats/[id]/offres-suggerees")

    @task(2)
    def board(self) -> None:
        self.board_search()


class Company(Journey):
    role = "entreprise"
    weight = 2

    @task(2)
    def home(self) -> None:
        self.page("/entreprise")

    @task(3)
    def applications(self) -> None:
        self.page("/entreprise/candidatures")

    @task(2)
    def hours(self) -> None:
        self.page("/entreprise/heures")


class Buyer(Journey):
    role = "acheteur"
    weight = 1

    @task(2)
    def home(self) -> None:
        self.page("/acheteur")

    @task(1)
    def report(self) -> None:
        self.page("/rapports/heures", "/rapports/[rapport]")
