"""The consortium allocation at the hub (pure domain code, no I/O): which social enterprises deliver
how much of a large order, exactly (scipy.optimize.milp, HiGHS) with a greedy fallback, and why.

    allocation = allocate(Order(quantity=5000), candidates, {"EUR": Decimal(1), "HUF": Decimal("0.0025")})
"""
from services.hub.crossborder.allocation.model import Allocation, Candidate, Order, Share, Shortfall
from services.hub.crossborder.allocation.solve import allocate, allocate_greedy

__all__ = ["Allocation", "Candidate", "Order", "Share", "Shortfall", "allocate", "allocate_greedy"]
