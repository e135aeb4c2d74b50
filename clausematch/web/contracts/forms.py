"""Forms of the buyers, companies, contracts, lots and clauses pages: shape only, the services
check the rules. Messages in French. Each carries the version of the record it edits
(clausematch/web/conflicts.py)."""
from datetime import datetime

from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from clausematch.accounts.models import BuyerKind, CompanyKind
from clausematch.contracts.models import ClauseKind, ObjectiveMethod
from clausematch.vocabulary import Criterion, Mode, Sector
from clausematch.web.conflicts import version_field
from clausematch.web.fields import CheckboxListField, FrenchDecimalField, FrenchForm, IntegerField, optional_id

REQUIRED = "Ce champ est obligatoire."


def required(message: str = REQUIRED) -> InputRequired:
    return InputRequired(message=message)


def optional_int(value):
    """Select coercion where the empty option means "none"."""
    return optional_id(value)


def optional_enum(enum_cls):
    def coerce(value):
        return enum_cls(value) if value not in (None, "", "None") else None
    return coerce


class FrenchDateField(DateField):
    """A date from a date input (AAAA-MM-JJ) or typed the French way (JJ/MM/AAAA)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        for fmt in self.format:
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError("Saisissez une date valide au format JJ/MM/AAAA.")


class CommuneFields:
    """A commune typed as text (autocomplete with JS, resolved by the server without), plus the
    hidden INSEE code the autocomplete fills in."""

    commune = StringField("Commune", validators=[Optional(), Length(max=120)],
                          description="Nom ou code postal, par exemple « Saint-Denis » ou « 93200 ».")
    commune_insee = HiddenField()


class BuyerForm(CommuneFields, FrenchForm):
    version = version_field()
    name = StringField("Nom de l'acheteur", validators=[required(), Length(max=200)])
    buyer_kind = SelectField("Type d'acheteur", choices=dict(BuyerKind.choices()), coerce=BuyerKind,
                             validators=[required()])
    siret = StringField("SIRET", validators=[Optional(), Length(max=20)],
                        description="Facultatif. 14 chiffres, espaces acceptés.")
    address = StringField("Adresse", validators=[Optional(), Length(max=300)])


class CompanyForm(CommuneFields, FrenchForm):
    version = version_field()
    name = StringField("Raison sociale", validators=[required(), Length(max=200)])
    company_kind = SelectField("Type d'entreprise", choices=dict(CompanyKind.choices()), coerce=CompanyKind,
                               validators=[required()])
    siret = StringField("SIRET", validators=[required(), Length(max=20)],
                        description="14 chiffres, espaces acceptés, par exemple 732 829 320 00074.")
    address = StringField("Adresse", validators=[Optional(), Length(max=300)])
    # Checked by the service with the rule of every form (formats.parse_email, parse_phone).
    email = StringField("Adresse électronique de contact", validators=[Optional(), Length(max=254)],
                        description="Facultatif, par exemple contact@entreprise.fr.")
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)],
                        description="Facultatif, par exemple 01 23 45 67 89.")


class ContractForm(FrenchForm):
    version = version_field()
    reference = StringField("Référence du marché", validators=[required(), Length(max=60)],
                            description="Unique pour un même acheteur, par exemple 2025-BAT-014.")
    object = TextAreaField("Objet du marché", validators=[required(), Length(max=500)])
    buyer_id = SelectField("Acheteur", coerce=optional_int, validators=[required()])
    sector = SelectField("Secteur", choices=dict(Sector.choices()), coerce=Sector, validators=[required()])
    amount_ht = FrenchDecimalField("Montant hors taxes (€)", validators=[required()],
                                   description="Par exemple 1 000 000 ou 250 000,50.")
    notified_on = FrenchDateField("Date de notification", validators=[required()])
    start_date = FrenchDateField("Date de début d'exécution", validators=[required()])
    end_date = FrenchDateField("Date de fin d'exécution", validators=[Optional()])
    clause_kind = SelectField("Clause sociale", coerce=optional_enum(ClauseKind),
                              choices={"": "Sans clause sociale", **dict(ClauseKind.choices())})


class LotForm(FrenchForm):
    version = version_field()
    number = IntegerField("Numéro du lot", validators=[required()])
    title = StringField("Intitulé du lot", validators=[required(), Length(max=300)])
    company_id = SelectField("Entreprise titulaire", coerce=optional_int,
                             description="Laissez « Lot non attribué » tant que le lot n'est pas attribué.")
    amount_ht = FrenchDecimalField("Montant hors taxes (€)", validators=[required()])
    start_date = FrenchDateField("Date de début", validators=[required()])
    end_date = FrenchDateField("Date de fin", validators=[Optional()])


class ClauseForm(FrenchForm):
    version = version_field()
    method = RadioField("Objectif d'heures", choices=dict(ObjectiveMethod.choices()), coerce=ObjectiveMethod,
                        default=ObjectiveMethod.COMPUTED.value, validators=[required("Choisissez une méthode.")])
    hours_objective = FrenchDecimalField("Nombre d'heures inscrit au marché", validators=[Optional()])
    amount_ht = FrenchDecimalField("Montant pris en compte (€ HT)", validators=[Optional()],
                                   description="Prérempli avec le montant du lot.")
    labour_share_percent = FrenchDecimalField("Part de main-d'œuvre (%)", validators=[Optional()],
                                              description="Par exemple 50 pour 50 %.")
    insertion_rate_percent = FrenchDecimalField("Taux d'insertion (%)", validators=[Optional()],
                                                description="Par exemple 5 ou 5,5.")
    hourly_cost = FrenchDecimalField("Coût horaire (€)", validators=[Optional()],
                                     description="Coût horaire moyen chargé, par exemple 30.")
    eligible_criteria = CheckboxListField("Publics éligibles", choices=dict(Criterion.choices()),
                                          description="Aucune case cochée : tous les publics éligibles.")
    allowed_modes = CheckboxListField("Modalités de réalisation", choices=dict(Mode.choices()),
                                      description="Aucune case cochée : toutes les modalités.")
    cdi_lump_hours = IntegerField(
        "Forfait CDI de cette clause (heures)", validators=[Optional()],
        description="Heures comptées une fois par personne embauchée en CDI sur le lot, à la place des heures "
                    "travaillées en CDI. Vide : le forfait du territoire (paramètres) ; 0 : aucun forfait.")
    notes = TextAreaField("Remarques", validators=[Optional(), Length(max=2000)])
