"""The textbook SimPy model of the kitchen, the baseline a user would write: a source process that
releases each order at its time, and a process per unit that requests the cooks' Resource and holds it
for the dish's cook time. No database, no sampling, no checks; the orders file read whole with json.

    python -m bench.textbook ORDERS MENU COOKS     (prints orders and units, and the mean fulfillment)
"""

import json
import sys
from datetime import datetime, timezone

import simpy


def unit(env, cooks, cook_time, order):
    with cooks.request() as cook:
        yield cook
        yield env.timeout(cook_time)
    order["left"] -= 1
    if not order["left"]:
        order["done"] = env.now


def source(env, cooks, orders, menu, finished):
    for raw in orders:
        at = max(env.now, datetime.fromisoformat(raw["ordered_at"]).replace(tzinfo=timezone.utc).timestamp())
        yield env.timeout(at - env.now)
        order = {"received": env.now, "left": sum(line["quantity"] for line in raw["items"])}
        if order["left"]:
            finished.append(order)
        for line in raw["items"]:
            for _ in range(line["quantity"]):
                env.process(unit(env, cooks, menu[line["name"]], order))


def main(orders_file, menu_file, crew):
    menu = {dish["name"]: dish["cook_time"] for dish in json.load(open(menu_file))}
    orders = json.load(open(orders_file))
    first = datetime.fromisoformat(orders[0]["ordered_at"]).replace(tzinfo=timezone.utc).timestamp()
    env = simpy.Environment(initial_time=first)
    cooks = simpy.Resource(env, capacity=int(crew))
    finished = []
    env.process(source(env, cooks, orders, menu, finished))
    env.run()
    units = sum(line["quantity"] for raw in orders for line in raw["items"])
    mean = sum(o["done"] - o["received"] for o in finished) / len(finished)
    print(f"{len(orders)} orders, {units} units, mean fulfillment {mean:.1f} s")


if __name__ == "__main__":
    main(*sys.argv[1:4])
