"""The quality label "socio-ecologically produced": criteria, applications, four-eyes decisions, register."""
