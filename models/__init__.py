"""The numbers over time: loading history, categories, forecasters, sample paths.

The only package that imports prophet or pandas (and only inside models/prophet_model.py).
"""
