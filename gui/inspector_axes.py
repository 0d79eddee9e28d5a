"""The log10 axis of the inspector's norm and ratio plots, labelled like the help text."""

from __future__ import annotations

import math

from gui.live_items import LiveAxis


class LogAxis(LiveAxis):
    """A log10 axis labelled like the help text ("1e-3"), never crowded in a small plot.

    Spanning two decades or more, only powers of ten are labelled (thinned to fit) and the
    2..9 ticks between them are bare; spanning less, 1, 2 and 5 of each decade are labelled.
    """

    _label_minor = False

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        low, high = math.floor(minVal), math.ceil(maxVal)
        decades = [v for v in range(low, high + 1) if minVal <= v <= maxVal]
        if len(decades) >= 2:
            step = math.ceil(len(decades) / max(2, int(size // 24)))
            major = [float(v) for v in decades if v % step == 0]
            minor = []
            if step == 1:
                minor = [
                    v + math.log10(k)
                    for v in range(low, high)
                    for k in range(2, 10)
                    if minVal <= v + math.log10(k) <= maxVal
                ]
            self._label_minor = False
            return [(float(step), major), (None, minor)]
        self._label_minor = True
        ticks = [
            v + math.log10(k)
            for v in range(low, high + 1)
            for k in (1, 2, 5)
            if minVal <= v + math.log10(k) <= maxVal
        ]
        return [(None, ticks)]

    def logTickStrings(self, values, scale, spacing):
        if spacing is None and not self._label_minor:
            return [""] * len(values)
        return [_scientific(10.0**v * scale) for v in values]


def _scientific(x: float) -> str:
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"
