"""Neural-network building blocks: modules, layers, activations, losses, initializers, regularizers."""
