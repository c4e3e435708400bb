"""Demo data: synthetic residents' reports spread over Polish towns by population.

Reports are published as ReportSubmitted events straight to the broker (as intake would after
validation), with synthetic device hashes, so the demo does not trip the per-device limit.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import random
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from kmzb_contracts import Channel, ReportSubmitted, TopicNames, encode, load_catalogue

# (town, lat, lon, population in thousands), GeoNames figures rounded.
TOWNS = [
    ("Warszawa", 52.2297, 21.0122, 1790),
    ("Kraków", 50.0614, 19.9366, 780),
    ("Łódź", 51.7592, 19.4560, 670),
    ("Wrocław", 51.1079, 17.0385, 640),
    ("Poznań", 52.4064, 16.9252, 530),
    ("Gdańsk", 54.3520, 18.6466, 470),
    ("Szczecin", 53.4285, 14.5528, 395),
    ("Bydgoszcz", 53.1235, 18.0084, 340),
    ("Lublin", 51.2465, 22.5684, 335),
    ("Białystok", 53.1325, 23.1688, 295),
    ("Katowice", 50.2649, 19.0238, 290),
    ("Gdynia", 54.5189, 18.5305, 245),
    ("Częstochowa", 50.8118, 19.1203, 215),
    ("Radom", 51.4027, 21.1471, 205),
    ("Rzeszów", 50.0412, 21.9991, 195),
    ("Toruń", 53.0138, 18.5984, 195),
    ("Sosnowiec", 50.2863, 19.1041, 195),
    ("Kielce", 50.8661, 20.6286, 190),
    ("Gliwice", 50.2945, 18.6714, 175),
    ("Olsztyn", 53.7784, 20.4801, 170),
    ("Zabrze", 50.3249, 18.7857, 170),
    ("Bielsko-Biała", 49.8224, 19.0584, 170),
    ("Bytom", 50.3480, 18.9328, 160),
    ("Zielona Góra", 51.9356, 15.5062, 140),
    ("Rybnik", 50.1022, 18.5463, 135),
    ("Opole", 50.6751, 17.9213, 125),
    ("Gorzów Wielkopolski", 52.7368, 15.2288, 120),
    ("Elbląg", 54.1561, 19.4045, 118),
    ("Płock", 52.5463, 19.7065, 117),
    ("Wałbrzych", 50.7714, 16.2843, 110),
    ("Tarnów", 50.0121, 20.9858, 108),
    ("Koszalin", 54.1944, 16.1722, 106),
    ("Kalisz", 51.7611, 18.0910, 100),
    ("Legnica", 51.2070, 16.1619, 99),
    ("Grudziądz", 53.4837, 18.7536, 94),
    ("Słupsk", 54.4641, 17.0287, 90),
    ("Nowy Sącz", 49.6175, 20.7153, 84),
    ("Suwałki", 54.1118, 22.9309, 69),
    ("Zakopane", 49.2992, 19.9496, 27),
    ("Sandomierz", 50.6827, 21.7489, 23),
    ("Hel", 54.6081, 18.8008, 3),
    ("Ustrzyki Dolne", 49.4306, 22.5939, 9),
]

# KMZB's own shares: speeding, parking and alcohol are about 70% of reports.
HEAVY = {"PRZEKRACZANIE_PREDKOSCI": 0.30, "NIEPRAWIDLOWE_PARKOWANIE": 0.25, "SPOZYWANIE_ALKOHOLU": 0.15}


def synthetic_reports(count: int, *, seed: int, now: datetime) -> list[ReportSubmitted]:
    """``count`` reports placed near towns in proportion to population."""
    rng = random.Random(seed)
    codes = [c.code for c in load_catalogue().active()]
    rest = [c for c in codes if c not in HEAVY]
    weights = [HEAVY.get(c, (1 - sum(HEAVY.values())) / len(rest)) for c in codes]
    towns = [t for t in TOWNS]
    town_weights = [t[3] for t in towns]
    reports = []
    for _ in range(count):
        _, lat, lon, pop = rng.choices(towns, town_weights)[0]
        spread_km = 1.0 + math.sqrt(pop) / 8
        lat += rng.gauss(0, spread_km / 111)
        lon += rng.gauss(0, spread_km / (111 * math.cos(math.radians(lat))))
        report_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        reports.append(
            ReportSubmitted(
                event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                report_id=report_id,
                category=rng.choices(codes, weights)[0],
                lat=round(lat, 6),
                lon=round(lon, 6),
                description=None,
                channel=Channel.WEB,
                submitted_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 14)),
                device_key_hash=hashlib.sha256(f"demo-device-{report_id}".encode()).hexdigest(),
            )
        )
    return reports


async def publish(bootstrap: str, reports: list[ReportSubmitted], topic: str) -> None:
    """Publish the reports with acks=all."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, encode(r), key=r.key()) for r in reports]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    reports = synthetic_reports(args.count, seed=args.seed, now=datetime.now(UTC))
    asyncio.run(publish(args.bootstrap, reports, TopicNames().reports_submitted))
    print(f"published {len(reports)} demo reports")


if __name__ == "__main__":
    main()
