"""Notifiers (Airflow's ``BaseNotifier``) that bring a kill switch's report to a person."""
