"""`make bench`: our whole stack against a stock Rasa assistant, under the same load."""
