"""A kitchen that is not the shipped one, for tests of what users bring: another menu with other dish
names and cook times, another demand curve (a late lunch and one long evening peak, busier at weekends),
two delivery services with other names, in another time zone (Asia/Kolkata, UTC+5:30)."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = "Asia/Kolkata"
MENU = [
    {"name": "Masala Dosa", "cook_time": 420},
    {"name": "Paneer Tikka", "cook_time": 780},
    {"name": "Chole Bhature", "cook_time": 540},
    {"name": "Filter Coffee", "cook_time": 90},
    {"name": "Hyderabadi Biryani", "cook_time": 1260},
    {"name": "Gulab Jamun", "cook_time": 150},
]
SERVICES = ["Swiggy", "Zomato"]


def orders_per_minute(local: datetime) -> float:
    """Demand: a late lunch at 14:00, a long evening from 19:00 to 23:00, quiet mornings; weekends busier."""
    hour = local.hour + local.minute / 60
    lunch = 1.2 * math.exp(-0.5 * ((hour - 14) / 1.0) ** 2)
    evening = 2.0 if 19 <= hour < 23 else 2.0 * math.exp(-0.5 * ((hour - 21) / 1.2) ** 2)
    return (0.05 + lunch + evening) * (1.4 if local.weekday() >= 5 else 1.0)


def write(
    folder: Path,
    days: int,
    first_day: str = "2024-03-04",
    seed: int = 11,
    scale: float = 1.0,
    day_cv: float = 0.0,
    growth: float = 0.0,
) -> tuple[Path, Path]:
    """Write the menu and `days` days of orders (JSON, times as UTC) into `folder`; return (menu, orders).

    `day_cv`: each day's demand times a lognormal multiplier of mean 1 and this coefficient of variation (real
    days vary more than a Poisson process); `growth`: demand grows by this share a week."""
    rng = random.Random(seed)
    zone = ZoneInfo(ZONE)
    start = datetime.fromisoformat(first_day).replace(tzinfo=zone)
    sigma = math.sqrt(math.log1p(day_cv * day_cv))
    levels = [rng.lognormvariate(-sigma * sigma / 2, sigma) * (1 + growth) ** (day / 7) for day in range(days)]
    orders = []
    for minute in range(days * 1440):
        local = start + timedelta(minutes=minute)
        for _ in range(_poisson(rng, orders_per_minute(local) * scale * levels[minute // 1440])):
            moment = (local + timedelta(seconds=rng.randrange(60))).astimezone(timezone.utc).replace(tzinfo=None)
            lines = [
                {
                    "name": dish["name"],
                    "quantity": rng.choice([1, 1, 2]),
                    "price_per_unit": rng.randrange(80, 600) * 100,
                }
                for dish in rng.sample(MENU, rng.randint(1, 3))
            ]
            orders.append(
                {
                    "name": f"Guest {len(orders) + 1}",
                    "service": rng.choice(SERVICES),
                    "ordered_at": moment.isoformat(),
                    "items": lines,
                }
            )
    orders.sort(key=lambda o: o["ordered_at"])
    menu_path, orders_path = folder / "menu.json", folder / "orders.json"
    menu_path.write_text(json.dumps(MENU), encoding="utf-8")
    orders_path.write_text(json.dumps(orders), encoding="utf-8")
    return menu_path, orders_path


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, math.exp(-mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count
