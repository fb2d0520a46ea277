#!/usr/bin/env python3
"""Generate SYNTHETIC KPI data for QUY (BNSSG) in sct's long-form KPI CSV.

Deterministic: fixed monthly shapes plus noise from random.Random(20250904). The 2024/25
year-to-date figures are forced to NHS England's annual assessment letter:
A&E 4-hour 65.1 %, mean Category 2 38.4 minutes, FDS 81.4 %.

Usage: python3 examples/kpi/generate-bnssg-kpis.py examples/kpi/bnssg-kpis.csv
"""
import csv
import random
import sys

ORG = "QUY"
rng = random.Random(20250904)

MONTHS = [f"{y}-{m:02d}" for y, m in
          [(2023 + (4 + i - 1) // 12, (4 + i - 1) % 12 + 1) for i in range(30)]]
assert MONTHS[0] == "2023-04" and MONTHS[-1] == "2025-09" and len(MONTHS) == 30
FY2425 = MONTHS[12:24]
assert FY2425[0] == "2024-04" and FY2425[-1] == "2025-03"
DAYS = {"01": 31, "02": 28, "03": 31, "04": 30, "05": 31, "06": 30, "07": 31, "08": 31,
        "09": 30, "10": 31, "11": 30, "12": 31}


def days_in(period):
    y, m = period.split("-")
    if m == "02" and int(y) % 4 == 0:
        return 29
    return DAYS[m]


QUARTERS = [f"{fy} Q{q}" for fy in ("2023/24", "2024/25") for q in (1, 2, 3, 4)] + \
           ["2025/26 Q1", "2025/26 Q2"]
YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]

rows = []


def tenths_half_up(num, den, mult=100):
    """round(mult * num / den, 1) half up, as an integer number of tenths, exactly."""
    return (20 * mult * num + den) // (2 * den)


def is_tie(num, den, mult=100):
    return (20 * mult * num) % (2 * den) == den


def fmt_tenths(t):
    return f"{t // 10}.{t % 10}"


def proportion_rows(ind, periods, nums, dens, mult=100):
    for p, n, d in zip(periods, nums, dens):
        assert 0 < d and 0 <= n
        assert not is_tie(n, d, mult), (ind, p)
        rows.append((ORG, ind, p, fmt_tenths(tenths_half_up(n, d, mult)), str(n), str(d)))


def untie(nums, dens, mult=100):
    out = []
    for n, d in zip(nums, dens):
        while is_tie(n, d, mult):
            n += 1
        out.append(n)
    return out


def force_ytd(nums, dens, idx, target_tenths):
    """Spread an adjustment over months idx so sum(num)/sum(den) rounds to target, centred."""
    sd = sum(dens[i] for i in idx)
    want = round(sd * target_tenths / 1000)  # centre of the target's rounding interval
    diff = want - sum(nums[i] for i in idx)
    for k, i in enumerate(idx):
        share = diff // len(idx) + (1 if k < diff % len(idx) else 0)
        nums[i] += share
    return nums


def noise(sd):
    return rng.gauss(0, sd)


# ---------------------------------------------------------------- A&E 4-hour (monthly)
ae_base = [41500, 44000, 43500, 44200, 42000, 42400, 43000, 41400, 40800, 38900, 38300, 42300]
ae_den = []
for i, p in enumerate(MONTHS):
    d = ae_base[i % 12] * (1 + 0.012 * (i // 12)) + noise(350)
    ae_den.append(int(min(44900, max(38100, round(d)))))
ae_pct = [66.8, 67.5, 66.9, 67.8, 67.2, 65.9, 64.7, 63.5, 62.4, 61.6, 63.0, 65.8,   # 2023/24
          66.4, 67.0, 67.3, 66.8, 66.5, 65.6, 64.6, 63.6, 62.1, 61.5, 63.4, 66.0,   # 2024/25
          67.4, 68.6, 69.3, 69.8, 69.1, 68.5]                                      # 2025/26
ae_num = [round(d * (p + noise(0.15)) / 100) for d, p in zip(ae_den, ae_pct)]
ae_num = force_ytd(ae_num, ae_den, range(12, 24), 651)
ae_num = untie(ae_num, ae_den)
proportion_rows("ae-4-hour", MONTHS, ae_num, ae_den)

# ---------------------------------------------------------------- Category 2 mean (monthly)
cat2 = [44.1, 40.2, 41.5, 43.0, 42.3, 45.8, 48.9, 50.2, 56.7, 52.1, 45.3, 43.0,   # 2023/24
        34.2, 32.8, 33.5, 34.9, 33.1, 36.0, 40.2, 42.5, 49.8, 46.1, 39.7, 0.0,    # 2024/25
        33.9, 31.6, 31.2, 32.8, 32.1, 34.7]                                      # 2025/26
cat2_t = [round(v * 10) for v in cat2]
cat2_t[23] = 384 * 12 - sum(cat2_t[12:23])  # March 2025 makes the 2024/25 mean exactly 38.4
assert 300 < cat2_t[23] < 450, cat2_t[23]
for p, t in zip(MONTHS, cat2_t):
    rows.append((ORG, "cat2-mean-response", p, fmt_tenths(t), "", ""))

# ---------------------------------------------------------------- FDS (monthly)
fds_den = [int(round(10000 + 450 * ((i % 12) in (5, 6, 7)) - 600 * ((i % 12) == 8)
                     + 150 * (i // 12) + noise(250))) for i in range(30)]
fds_den = [min(10950, max(9050, d)) for d in fds_den]
fds_pct = [72.8, 74.1, 75.6, 73.9, 74.8, 76.2, 77.0, 76.5, 71.8, 70.9, 74.6, 77.3,   # 2023/24
           79.4, 80.6, 82.0, 82.9, 81.7, 82.5, 83.2, 82.1, 76.4, 75.9, 81.6, 83.8,   # 2024/25
           80.9, 82.4, 83.0, 82.2, 81.5, 82.8]                                      # 2025/26
fds_num = [round(d * (p + noise(0.1)) / 100) for d, p in zip(fds_den, fds_pct)]
fds_num = force_ytd(fds_num, fds_den, range(12, 24), 814)
fds_num = untie(fds_num, fds_den)
proportion_rows("fds-28-day", MONTHS, fds_num, fds_den)

# ---------------------------------------------------------------- virtual wards (monthly)
vw_beds = [270, 270, 275, 280, 280, 285, 290, 300, 305, 310, 310, 315,
           320, 320, 325, 330, 330, 335, 340, 345, 350, 355, 355, 360,
           360, 360, 365, 365, 370, 370]
vw_den = [b * days_in(p) for b, p in zip(vw_beds, MONTHS)]
vw_pct = [62.4, 63.1, 64.0, 63.5, 62.8, 64.9, 66.2, 67.5, 68.9, 69.4, 68.0, 66.7,
          66.1, 67.0, 66.4, 65.8, 65.2, 67.3, 69.1, 71.2, 72.8, 73.6, 72.1, 70.4,
          70.9, 71.8, 72.5, 71.6, 72.9, 74.1]
vw_num = untie([round(d * (p + noise(0.2)) / 100) for d, p in zip(vw_den, vw_pct)], vw_den)
proportion_rows("virtual-ward-occupancy", MONTHS, vw_num, vw_den)

# ---------------------------------------------------------------- handovers over 45 min (monthly)
ho_den = [int(round(7000 + 250 * ((i % 12) in (8, 9)) - 200 * ((i % 12) == 10) + noise(180)))
          for i in range(30)]
ho_pct = [24.5, 22.8, 21.0, 19.7, 18.6, 21.9, 25.3, 27.8, 31.2, 29.4, 23.6, 20.1,   # 2023/24
          17.2, 14.6, 12.3, 11.8, 10.9, 12.7, 14.9, 16.8, 21.5, 24.8, 22.9, 19.6,   # 2024/25
          13.1, 11.2, 9.8, 9.4, 9.1, 10.3]                                         # 2025/26
ho_num = untie([round(d * (p + noise(0.2)) / 100) for d, p in zip(ho_den, ho_pct)], ho_den)
proportion_rows("ambulance-handover-over-45", MONTHS, ho_num, ho_den)

# ---------------------------------------------------------------- Pharmacy First / CPCS (monthly)
pf = [4210, 4380, 4520, 4690, 4610, 4880, 5150, 5320, 5680, 5940,   # CPCS, Apr 2023 - Jan 2024
      7850, 9120,                                                   # Pharmacy First from 31 Jan 2024
      9680, 10240, 10410, 10620, 10380, 10790, 11150, 11420, 12080, 12460, 11630, 11870,
      11720, 12010, 11890, 12140, 11960, 12330]
assert len(pf) == 30
for p, v in zip(MONTHS, pf):
    rows.append((ORG, "pharmacy-first-consultations", p, str(v), "", ""))

# ---------------------------------------------------------------- running cost per head (quarterly)
rc_pence = [2105, 2098, 2086, 2091, 2062, 2044, 2031, 2008, 1981, 1952]
rc_pop = [1061400 + 1400 * i for i in range(10)]          # multiples of 100
for q, v, pop in zip(QUARTERS, rc_pence, rc_pop):
    num = v * pop // 100                                   # annualised running costs, whole £
    assert num * 100 == v * pop
    rows.append((ORG, "running-cost-per-head", q, f"{v // 100}.{v % 100:02d}", str(num), str(pop)))

# ---------------------------------------------------------------- CYP MH access (quarterly)
cyp = [12840, 12960, 13110, 13250, 13380, 13420, 13510, 13640, 13920, 14180]
for q, v in zip(QUARTERS, cyp):
    rows.append((ORG, "cyp-mental-health-access", q, str(v), "", ""))

# ---------------------------------------------------------------- efficiency delivery (quarterly)
eff_den = [6200, 6450, 6800, 7100, 7400, 7600, 7900, 8300, 8800, 9100]   # £000 planned
eff_pct = [92.4, 88.1, 90.3, 95.2, 61.8, 70.5, 76.9, 84.0, 93.5, 96.1]
eff_num = untie([round(d * p / 100) for d, p in zip(eff_den, eff_pct)], eff_den)
proportion_rows("efficiency-delivery", QUARTERS, eff_num, eff_den)

# ---------------------------------------------------------------- annual outcomes
for y, v in zip(YEARS, ["64.6", "64.3", "63.8", "63.5", "63.4", "63.6"]):
    rows.append((ORG, "healthy-life-expectancy", y, v, "", ""))
for y, v in zip(YEARS, ["13.8", "14.3", "14.9", "15.2", "15.0", "14.8"]):
    rows.append((ORG, "hle-deprivation-gap", y, v, "", ""))
sp_den = [1702000, 1861000, 1972000, 2081000, 2196000, 2318000]          # £000 programme spend
sp_pct = [27.9, 27.4, 27.6, 27.2, 27.0, 27.3]
sp_num = untie([round(d * p / 100) for d, p in zip(sp_den, sp_pct)], sp_den)
proportion_rows("community-share-of-spend", YEARS, sp_num, sp_den)

with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["organisation", "indicator", "period", "value", "numerator", "denominator"])
    w.writerows(rows)
print(f"{len(rows)} rows written to {sys.argv[1]}")
