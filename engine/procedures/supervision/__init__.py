"""社情民意, democratic appraisal, inspection and research, and the 29 division tasks (P10–P14)."""
