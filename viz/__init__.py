"""viz: pictures of minigrad graphs and training (computation graphs, backprop
step-through, gradient flow, diagnostics). It imports ``minigrad``; ``minigrad``
never imports ``viz``.
"""
