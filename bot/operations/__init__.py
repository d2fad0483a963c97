"""Running the product: the set-up steps and what they print (`steps`, `console`), training
(`training`), and the supervisor that starts every process `services` lists (`make run`)."""
