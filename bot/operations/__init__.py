"""Running the product: the supervisor that starts every process (`make run`), and which
trained model belongs to the current training data (`training`)."""
