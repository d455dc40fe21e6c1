from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from portal.forms import PortalForm


class CoaUploadForm(PortalForm):
    bestand = FileField(_l("CSV-bestand van het COA"), [FileRequired(_l("Kies een CSV-bestand."))],
                        description=_l("Kolommen: v_nummer, voornaam, achternaam, geboortedatum, land_van_herkomst, "
                                       "taal, huishoudgrootte, koppelingsdatum, gemeentecode; en zo nodig azc_locatie, "
                                       "coa_contactpersoon, vergunningsdatum, regisseur. UTF-8, gescheiden door "
                                       "puntkomma, komma of tab."),
                        render_kw={"accept": ".csv,text/csv"})
