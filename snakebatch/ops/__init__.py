"""Ops: the predecessor's feasibility and cost model, a mesh simulator, a spawn-rate governor
and provisioned-concurrency toggles that always turn themselves off."""
