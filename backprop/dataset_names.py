"""The built-in datasets' names (no NumPy here: the ``train`` parser lists them at start-up).

>>> BUILT_INS[:3]
('xor', 'or', 'digits')
"""

TRUTH_TABLES = {"xor": [0, 1, 1, 0], "or": [0, 1, 1, 1]}  # name -> outputs for (a, b) in order
# name -> (scikit-learn loader, task)
SKLEARN = {
    "digits": ("load_digits", "classification"),
    "iris": ("load_iris", "classification"),
    "wine": ("load_wine", "classification"),
    "breast-cancer": ("load_breast_cancer", "classification"),
    "diabetes": ("load_diabetes", "regression"),
}
BUILT_INS = (*TRUTH_TABLES, *SKLEARN)
