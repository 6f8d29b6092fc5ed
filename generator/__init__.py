"""ClinicPress: a bilingual static blog generator for medical-aesthetics clinics."""

__version__ = "0.1.0"
