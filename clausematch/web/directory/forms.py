"""The directory profile form: shape only, the service checks the rules."""
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from clausematch.directory.models import OFFER_TYPES
from clausematch.web.conflicts import version_field
from clausematch.web.fields import CheckboxListField, FrenchForm, IntegerField


class ProfileForm(FrenchForm):
    version = version_field()
    activities = TextAreaField("Activités", validators=[Optional(), Length(max=2000)],
                               description="Ce que fait la structure, en quelques mots : par exemple « nettoyage de "
                                           "locaux, entretien d'espaces verts, second œuvre ».")
    rome_codes = TextAreaField("Codes ROME des métiers", validators=[Optional(), Length(max=1000)],
                               description="Séparés par des virgules, par exemple « F1703, K2204 ».")
    communes = TextAreaField("Communes desservies", validators=[Optional(), Length(max=2000)],
                             description="Une commune par ligne, par exemple « Saint-Denis » ou « 93300 ».")
    radius_km = IntegerField("Rayon d'intervention autour de la commune de la structure (km)",
                             validators=[Optional(), NumberRange(min=0, max=200,
                                                                 message="Indiquez un rayon entre 0 et 200 km.")])
    capacity_positions = IntegerField("Capacité : nombre de postes", validators=[Optional()])
    capacity_hours = IntegerField("Capacité : heures par mois", validators=[Optional()])
    offers = CheckboxListField("Ce que la structure propose", choices={c: label for c, label, _ in OFFER_TYPES})
    contact_name = StringField("Personne à contacter", validators=[Optional(), Length(max=200)])
    contact_email = StringField("E-mail de contact", validators=[Optional(), Length(max=254)])
    contact_phone = StringField("Téléphone de contact", validators=[Optional(), Length(max=30)])
    is_published = BooleanField("Publier la fiche dans l'annuaire",
                                description="Visible des entreprises, acheteurs et prescripteurs du territoire.")
