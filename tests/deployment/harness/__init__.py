"""The e2e harness: throwaway PostgreSQL, Redis, the vendor simulator and Airflow 3.3 processes on 127.0.0.1."""
