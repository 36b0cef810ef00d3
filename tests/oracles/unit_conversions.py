#!/usr/bin/env python3
"""Independent oracle for the convert_* functions (functions/src/scalar/units.rs).

The factors are written here from the units' definitions, as exact rationals where the
definition is exact (fractions.Fraction), so the printed values are the mathematically exact
conversions rounded once to a double. It prints the doc examples of the eight
convert-*-function.md pages and the catalog examples (functions/src/catalog/entries_f.rs).

Definitions used: international yard and pound (1959): ft = 0.3048 m, lb = 0.45359237 kg;
standard gravity 9.80665 m/s^2; IT BTU = 1055.05585262 J; thermochemical calorie 4.184 J;
eV = 1.602176634e-19 J (SI 2019); US gallon = 231 in^3; imperial gallon = 4.54609 L;
acre-foot = 43560 ft^3.
"""
from fractions import Fraction as F
import math

FT = F("0.3048")
INCH = FT / 12
YD = FT * 3
MI = FT * 5280
LB = F("0.45359237")
G0 = F("9.80665")
LBF = LB * G0
BTU = F("1055.05585262")
EV = F("1.602176634e-19")
US_GAL = 231 * INCH**3
IMP_GAL = F("4.54609e-3")

# base units: degree, joule, newton, meter, kilogram, m/s, m^3
ANGLE = {"Degree": 1, "Arcminute": F(1, 60), "Arcsecond": F(1, 3600), "Gradian": F(9, 10),
         "Revolution": 360, "NatoMil": F(360, 6400), "Radian": 180 / math.pi}
ENERGY = {"Joule": 1, "BritishThermalUnit": BTU, "KilowattHour": 3600 * 1000,
          "Megajoule": 10**6, "Calorie": F("4.184"), "ElectronVolt": EV,
          "FootPound": FT * LBF, "ThermUs": F("105480400"), "WattDay": 86400}
FORCE = {"Newton": 1, "Decanewton": 10, "PoundForce": LBF, "KilogramForce": G0,
         "Poundal": LB * FT, "Dyn": F(1, 10**5)}
LENGTH = {"Meter": 1, "Foot": FT, "Inch": INCH, "Yard": YD, "Mile": MI,
          "NauticalMile": 1852, "Kilometer": 1000, "UsSurveyFoot": F(1200, 3937),
          "Chain": 66 * FT, "Fathom": 6 * FT}
MASS = {"Kilogram": 1, "Pound": LB, "Ounce": LB / 16, "Gram": F(1, 1000), "Stone": 14 * LB,
        "Grain": LB / 7000, "ShortTon": 2000 * LB, "LongTon": 2240 * LB}
SPEED = {"MeterPerSecond": 1, "CentimeterPerHour": F(1, 100) / 3600,
         "KilometerPerHour": F(1000, 3600), "Knot": F(1852, 3600), "MilePerHour": MI / 3600,
         "FootPerSecond": FT}
VOLUME = {"CubicMeter": 1, "AcreFoot": 43560 * FT**3, "Liter": F(1, 1000), "UsGallon": US_GAL,
          "UsQuart": US_GAL / 4, "UsOunce": US_GAL / 128, "ImperialGallon": IMP_GAL,
          "CubicFoot": FT**3, "OilBarrel": 42 * US_GAL}


def conv(table, value, a, b):
    return float(F(value) * F(table[a]) / F(table[b]))


def to_kelvin(v, unit):
    v = F(v)
    return {
        "Kelvin": v,
        "DegreeCelsius": v + F("273.15"),
        "DegreeFahrenheit": (v + F("459.67")) * F(5, 9),
        "DegreeRankine": v * F(5, 9),
        "DegreeDelisle": F("373.15") - v * F(2, 3),
        "DegreeNewton": v * F(100, 33) + F("273.15"),
        "DegreeReaumur": v * F(5, 4) + F("273.15"),
        "DegreeRoemer": (v - F("7.5")) * F(40, 21) + F("273.15"),
    }[unit]


def from_kelvin(k, unit):
    return float({
        "Kelvin": k,
        "DegreeCelsius": k - F("273.15"),
        "DegreeFahrenheit": k * F(9, 5) - F("459.67"),
        "DegreeRankine": k * F(9, 5),
        "DegreeDelisle": (F("373.15") - k) * F(3, 2),
        "DegreeNewton": (k - F("273.15")) * F(33, 100),
        "DegreeReaumur": (k - F("273.15")) * F(4, 5),
        "DegreeRoemer": (k - F("273.15")) * F(21, 40) + F("7.5"),
    }[unit])


def temp(v, a, b):
    return from_kelvin(to_kelvin(v, a), b)


print("# doc examples (value as a double; the pages show 15 significant digits)")
print("convert_angle(1.2, 'Degree', 'Arcminute') =", conv(ANGLE, F("1.2"), "Degree", "Arcminute"))
print("convert_energy(1.2, 'Joule', 'BritishThermalUnit') =",
      conv(ENERGY, F("1.2"), "Joule", "BritishThermalUnit"))
print("convert_force(1.2, 'Newton', 'Decanewton') =", conv(FORCE, F("1.2"), "Newton", "Decanewton"))
print("convert_length(1.2, 'Meter', 'Foot') =", conv(LENGTH, F("1.2"), "Meter", "Foot"))
print("convert_mass(1.2, 'Kilogram', 'Pound') =", conv(MASS, F("1.2"), "Kilogram", "Pound"))
print("convert_speed(1.2, 'MeterPerSecond', 'CentimeterPerHour') =",
      conv(SPEED, F("1.2"), "MeterPerSecond", "CentimeterPerHour"))
print("convert_temperature(1.2, 'Kelvin', 'DegreeCelsius') =", temp(F("1.2"), "Kelvin", "DegreeCelsius"))
print("convert_volume(1.2, 'CubicMeter', 'AcreFoot') =",
      conv(VOLUME, F("1.2"), "CubicMeter", "AcreFoot"),
      "(the page shows 0.0009728568 =", float(F("1.2") * F("0.000810714")), ")")

print("# catalog examples")
print("convert_energy(1, 'KilowattHour', 'Megajoule') =", conv(ENERGY, 1, "KilowattHour", "Megajoule"))
print("convert_length(1, 'Mile', 'Foot') =", conv(LENGTH, 1, "Mile", "Foot"))
print("convert_length(3, 'Foot', 'Yard') =", conv(LENGTH, 3, "Foot", "Yard"))
print("convert_mass(1, 'Pound', 'Ounce') =", conv(MASS, 1, "Pound", "Ounce"))
print("convert_volume(1, 'UsGallon', 'UsQuart') =", conv(VOLUME, 1, "UsGallon", "UsQuart"))
print("convert_temperature(100, 'DegreeCelsius', 'DegreeFahrenheit') =",
      temp(100, "DegreeCelsius", "DegreeFahrenheit"))
print("convert_temperature(-40, 'DegreeFahrenheit', 'DegreeCelsius') =",
      temp(-40, "DegreeFahrenheit", "DegreeCelsius"))

print("# other values used in unit tests")
print("slug in kg =", float(LBF / FT))
print("horsepower-hour in J =", float(550 * FT * LBF * 3600))
print("foot-pound in J =", float(FT * LBF))
print("1 mph in ft/s =", conv(SPEED, 1, "MilePerHour", "FootPerSecond"))
for u in ["DegreeDelisle", "DegreeNewton", "DegreeReaumur", "DegreeRoemer", "DegreeRankine"]:
    print(f"100 C in {u} =", temp(100, "DegreeCelsius", u), f"; 0 C in {u} =", temp(0, "DegreeCelsius", u))
