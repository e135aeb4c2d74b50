"""Matching forms: shape only; the rules live in the services."""
from wtforms import SelectField, SelectMultipleField, StringField

from clausematch.errors import DomainError, refusals
from clausematch.matching.services import DEFAULT_K, RankingFilters
from clausematch.referential.certificates import as_text as certificate_labels
from clausematch.referential.certificates import checked_certificates
from clausematch.vocabulary import Criterion
from clausematch.web.fields import CheckboxListField, FrenchForm, coerce_id

# Choices as {value: label} (WTForms' shorthand; lists of tuples are deprecated).
DISTANCES = {"": "Sans limite", "5": "5 km", "10": "10 km", "20": "20 km", "30": "30 km", "50": "50 km"}
AVAILABILITY = {"": "Indifférente", "0": "Disponible dès aujourd'hui", "30": "Disponible d'ici 30 jours",
                "90": "Disponible d'ici 3 mois"}
ALREADY_ORIENTED = {"masquer": "Masquer", "afficher": "Afficher avec l'état de leur candidature"}
CERTIFICATE_MODES = {"preferer": "Préférer : les montrer après ceux du métier qui les détiennent",
                     "exiger": "Exiger : ne pas les montrer"}
SIZES = {str(DEFAULT_K): str(DEFAULT_K), "50": "50", "100": "100"}


class RankingFiltersForm(FrenchForm):
    """The filters of "Candidats suggérés", read from the query string."""

    class Meta:
        csrf = False

    distance = SelectField("Distance maximale entre le domicile et le lieu de travail", choices=DISTANCES, default="")
    disponibilite = SelectField("Disponibilité", choices=AVAILABILITY, default="")
    deja_orientes = SelectField("Candidats déjà orientés vers cette offre", choices=ALREADY_ORIENTED,
                                default="masquer")
    nombre = SelectField("Nombre de candidats affichés", choices=SIZES, default=str(DEFAULT_K))
    publics = CheckboxListField(
        "Publics", choices=dict(Criterion.choices()),
        description="Ne garder que les candidats dont un de ces critères est validé (parmi les publics de l'offre).")
    certificats = StringField(
        "Certificats requis pour cette recherche",
        description="Par défaut ceux de l'offre. Séparés par des virgules, par exemple « CACES R489 cat. 3, SST ». "
                    "Vide : aucun.")
    mode_certificats = SelectField("Candidats à qui il en manque un", choices=CERTIFICATE_MODES, default="preferer")

    def with_offer_defaults(self, offer, args) -> "RankingFiltersForm":
        """The certificates field shows the offer's required ones when the address does not say."""
        if "certificats" not in args:
            self.offer_certificates = True
            self.certificats.data = certificate_labels(
                [*(offer.required_certificates or ()), *(("permis-b",) if offer.driving_licence_required else ())])
        return self

    def to_filters(self) -> tuple[RankingFilters, int]:
        """The filters and the number of candidates asked for; a value that does not parse
        (a hand-edited address) falls back to its default rather than failing the page."""
        self.validate()

        def value(field, default):
            return default if field.errors or field.data in (None, "") else field.data

        distance = value(self.distance, None)
        within = value(self.disponibilite, None)
        filters = RankingFilters(
            max_distance_km=int(distance) if distance is not None else None,
            criteria=frozenset(value(self.publics, [])),
            available_within_days=int(within) if within is not None else None,
            exclude_proposed=value(self.deja_orientes, "masquer") != "afficher",
            certificates=self._certificates(),
            require_certificates=value(self.mode_certificats, "preferer") == "exiger")
        return filters, int(value(self.nombre, str(DEFAULT_K)))

    def _certificates(self) -> frozenset[str] | None:
        """The typed certificates as codes; None (the offer's own) when a fragment is unknown,
        the field then showing why."""
        if getattr(self, "offer_certificates", False):
            return None
        try:
            codes, _ = checked_certificates(self.certificats.data or "", "certificats")
        except DomainError as error:
            self.certificats.errors = [*self.certificats.errors, *(r.message for r in refusals(error))]
            return None
        return frozenset(codes)

    def as_args(self) -> dict:
        """The filters set to something else than their default, as query-string arguments (to come
        back to the same list)."""
        fields = (getattr(self, name) for name in ("distance", "disponibilite", "deja_orientes", "nombre",
                                                   "mode_certificats"))
        args = {f.name: f.data for f in fields if not f.errors and f.data and f.data != f.default}
        if self.certificats.raw_data and not self.certificats.errors:
            args["certificats"] = self.certificats.data or ""
        if self.publics.data and not self.publics.errors:
            args["publics"] = list(self.publics.data)
        return args


class ShortlistForm(FrenchForm):
    """The ticked suggested candidates (checkboxes in the results table)."""

    candidate_ids = SelectMultipleField("Candidats à présélectionner", coerce=coerce_id, validate_choice=False)


class ActionForm(FrenchForm):
    """A button that posts: only the CSRF token."""
