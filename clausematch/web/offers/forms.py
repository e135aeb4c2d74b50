"""Offer forms: shape only (types, lengths, required); the rules live in the services."""
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from clausematch.offers.models import Offer
from clausematch.offers.services import OfferData
from clausematch.offers.workflow import COMMENT_MAX_LENGTH
from clausematch.referential import certificates
from clausematch.referential.resolve import appellation_option_label
from clausematch.vocabulary import ContractType, Criterion, Sector
from clausematch.web.conflicts import version_field
from clausematch.web.fields import FrenchDecimalField, FrenchForm, IntegerField, coerce_id

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Choisissez une des valeurs proposées."


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (the form macro renders a fieldset with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args, **kwargs):
        # An unknown value is a forged request, not a typing mistake: say so in French.
        kwargs.setdefault("invalid_choice_message", "Un des choix cochés n'existe pas.")
        super().__init__(*args, **kwargs)


class OfferForm(FrenchForm):
    """The content of an offer (its lot is chosen once, at creation)."""

    version = version_field()

    appellation = StringField(
        "Métier (appellation ROME)", validators=[DataRequired(REQUIRED), Length(max=250)],
        description="Tapez quelques lettres (par exemple « maçon ») puis choisissez dans la liste.")
    appellation_code = HiddenField()
    title = StringField("Intitulé de l'offre", validators=[DataRequired(REQUIRED), Length(max=200)],
                        description="Tel que les candidats le liront, par exemple « Maçon VRD (H/F) ».")
    description = TextAreaField("Description du poste", validators=[Optional(), Length(max=5000)])
    skills = TextAreaField("Compétences attendues", validators=[Optional(), Length(max=2000)])
    commune = StringField("Commune du poste", validators=[DataRequired(REQUIRED), Length(max=120)],
                          description="Nom ou code postal, par exemple « Saint-Denis » ou « 93200 ».")
    commune_insee = HiddenField()
    sector = SelectField("Secteur", choices=dict(Sector.choices()), validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=INVALID_CHOICE)
    contract_type = SelectField("Type de contrat", choices=dict(ContractType.choices()),
                                validators=[InputRequired(REQUIRED)], invalid_choice_message=INVALID_CHOICE)
    weekly_hours = FrenchDecimalField(
        "Durée hebdomadaire (heures)", validators=[InputRequired(REQUIRED)],
        description="Plus de 0 et 48 heures au plus, par exemple 35 ou 17,5.",
        invalid_message="Saisissez un nombre d'heures, par exemple 35 ou 17,5.")
    positions = IntegerField("Nombre de postes", default=1,
                             validators=[InputRequired(REQUIRED), NumberRange(min=1, message="Au moins 1 poste.")])
    start_date = DateField("Date de début souhaitée", validators=[Optional()],
                           description="Facultatif.")
    publication_end = DateField("Fin de publication", validators=[Optional()],
                                description="Facultatif. L'offre est clôturée automatiquement le lendemain.")
    eligible_criteria = CheckboxesField(
        "Publics éligibles", choices=dict(Criterion.choices()),
        description="Cochés par défaut : les publics prévus par la clause du lot. Aucun coché : tous les publics.")
    qpv_required = BooleanField("Résidence en quartier prioritaire (QPV) requise")
    driving_licence_required = BooleanField("Permis de conduire requis")
    certificates_required = StringField(
        "Certificats ou habilitations requis", validators=[Optional(), Length(max=300)],
        description="Facultatif, séparés par des virgules, par exemple « CACES R489 cat. 3, SS4 amiante, "
                    "habilitation B1V ». Les candidats du métier qui les détiennent tous sont proposés en premier.")
    certificates_wished = StringField(
        "Certificats ou habilitations souhaités", validators=[Optional(), Length(max=300)],
        description="Facultatif : un atout, pas une condition (par exemple « SST, permis C »).")

    def to_data(self, lot_id: int | None = None) -> OfferData:
        return OfferData(
            lot_id=lot_id, title=self.title.data or "", appellation_text=self.appellation.data or "",
            appellation_code=self.appellation_code.data or None, description=self.description.data or "",
            skills=self.skills.data or "", commune_text=self.commune.data or "",
            commune_insee=self.commune_insee.data or None, sector=self.sector.data,
            contract_type=self.contract_type.data,
            weekly_hours=float(self.weekly_hours.data) if self.weekly_hours.data is not None else None,
            positions=self.positions.data, start_date=self.start_date.data,
            publication_end=self.publication_end.data, eligible_criteria=list(self.eligible_criteria.data or []),
            qpv_required=self.qpv_required.data, driving_licence_required=self.driving_licence_required.data,
            certificates_required=self.certificates_required.data or "",
            certificates_wished=self.certificates_wished.data or "")

    def fill_from(self, offer: Offer) -> None:
        """Initial values of the edit form (the autocomplete codes included)."""
        self.process(obj=offer)
        self.appellation.data = appellation_option_label(offer.appellation) if offer.appellation else ""
        self.appellation_code.data = str(offer.appellation_code or "")
        self.commune.data = offer.commune.label
        self.commune_insee.data = offer.commune_insee
        self.certificates_wished.data = certificates.as_text(offer.wished_certificates or [])
        self.sector.data = offer.sector.value
        self.contract_type.data = offer.contract_type.value


class NewOfferForm(OfferForm):
    lot_id = SelectField("Lot du marché", coerce=coerce_id, validators=[InputRequired(REQUIRED)],
                         invalid_choice_message="Choisissez un des lots proposés.",
                         description="L'offre compte pour la clause d'insertion de ce lot.")


class StatusForm(FrenchForm):
    """One status button; the comment is shown with the moves that need one."""

    target = HiddenField(validators=[DataRequired()])
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
