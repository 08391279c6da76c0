"""Pure-Python core of the B2B Ops Strategy Dashboard (no Streamlit imports)."""
