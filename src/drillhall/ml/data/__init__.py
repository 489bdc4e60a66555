"""Training-data security: label flips and poisoning, drift against a trusted baseline,
personal data in data sets."""
