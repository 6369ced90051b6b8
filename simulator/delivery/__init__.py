"""How an answer was delivered, apart from what it said.

`measure.measure_delivery` gives pace, fillers (`fillers`), pauses and loudness
(`activity`) as a `model.Delivery` with its tips, most useful first; `tips.render_tip` says
the first one. The JSON form is written by `simulator.records`.
"""
