//! Catalog entries (part of `catalog.rs`): unit conversions (lowered in `scalar::units`) and
//! Punycode (lowered in `scalar::punycode`). The examples' values are derived by hand from
//! the units' definitions (tests/oracles/unit_conversions.py checks them) and from the docs'
//! Punycode examples.

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    // ---- unit conversion ----
    entry!(
        "convert_angle",
        [],
        Scalar,
        "math",
        "convert_angle(value: real, from: string, to: string) -> real",
        "Converts an angle value from one unit to another (units: Arcminute, Arcsecond, Centiradian, Deciradian, Degree, Gradian, Microdegree, Microradian, Millidegree, Milliradian, Nanodegree, Nanoradian, NatoMil, Radian, Revolution, Tilt); null for an unknown unit.",
        r#"print r = convert_angle(1.2, 'Degree', 'Arcminute')"#,
        "r\n72\n"
    ),
    entry!(
        "convert_energy",
        [],
        Scalar,
        "math",
        "convert_energy(value: real, from: string, to: string) -> real",
        "Converts an energy value from one unit to another (units: Joule, Kilojoule, KilowattHour, BritishThermalUnit, Calorie, ElectronVolt, ThermUs, … (36 units)); null for an unknown unit.",
        r#"print r = convert_energy(1, 'KilowattHour', 'Megajoule')"#,
        "r\n3.6\n"
    ),
    entry!(
        "convert_force",
        [],
        Scalar,
        "math",
        "convert_force(value: real, from: string, to: string) -> real",
        "Converts a force value from one unit to another (units: Newton, Kilonewton, Dyn, KilogramForce, PoundForce, Poundal, TonneForce, … (15 units)); null for an unknown unit.",
        r#"print r = convert_force(1.2, 'Newton', 'Decanewton')"#,
        "r\n0.12\n"
    ),
    entry!(
        "convert_length",
        [],
        Scalar,
        "math",
        "convert_length(value: real, from: string, to: string) -> real",
        "Converts a length value from one unit to another (units: Meter, Kilometer, Foot, Inch, Yard, Mile, NauticalMile, LightYear, Parsec, … (36 units)); null for an unknown unit.",
        r#"print r = convert_length(1, 'Mile', 'Foot')"#,
        "r\n5280\n"
    ),
    entry!(
        "convert_mass",
        [],
        Scalar,
        "math",
        "convert_mass(value: real, from: string, to: string) -> real",
        "Converts a mass value from one unit to another (units: Kilogram, Gram, Tonne, Pound, Ounce, Stone, ShortTon, LongTon, Slug, … (25 units)); null for an unknown unit.",
        r#"print r = convert_mass(1, 'Pound', 'Ounce')"#,
        "r\n16\n"
    ),
    entry!(
        "convert_speed",
        [],
        Scalar,
        "math",
        "convert_speed(value: real, from: string, to: string) -> real",
        "Converts a speed value from one unit to another (units: MeterPerSecond, KilometerPerHour, MilePerHour, Knot, FootPerSecond, … (32 units)); null for an unknown unit.",
        r#"print r = convert_speed(1.2, 'MeterPerSecond', 'CentimeterPerHour')"#,
        "r\n432000\n"
    ),
    entry!(
        "convert_temperature",
        [],
        Scalar,
        "math",
        "convert_temperature(value: real, from: string, to: string) -> real",
        "Converts a temperature value from one unit to another (units: Kelvin, DegreeCelsius, DegreeFahrenheit, DegreeRankine, DegreeDelisle, DegreeNewton, DegreeReaumur, DegreeRoemer, MillidegreeCelsius, SolarTemperature); null for an unknown unit.",
        r#"print r = convert_temperature(100, 'DegreeCelsius', 'DegreeFahrenheit')"#,
        "r\n212\n"
    ),
    entry!(
        "convert_volume",
        [],
        Scalar,
        "math",
        "convert_volume(value: real, from: string, to: string) -> real",
        "Converts a volume value from one unit to another (units: CubicMeter, Liter, UsGallon, ImperialGallon, UsQuart, CubicFoot, AcreFoot, OilBarrel, … (52 units)); null for an unknown unit.",
        r#"print r = convert_volume(1, 'UsGallon', 'UsQuart')"#,
        "r\n4\n"
    ),
    // ---- punycode ----
    entry!(
        "punycode_from_string",
        [],
        Scalar,
        "string",
        "punycode_from_string(input_string: string) -> string",
        "Encodes a string to Punycode (RFC 3492), without the xn-- prefix; empty if encoding fails.",
        r#"print encoded = punycode_from_string('académie-française')"#,
        "encoded\nacadmie-franaise-npb1a\n"
    ),
    entry!(
        "punycode_to_string",
        [],
        Scalar,
        "string",
        "punycode_to_string(input_string: string) -> string",
        "Decodes a Punycode string (ASCII, without the xn-- prefix); empty if decoding fails.",
        r#"print decoded = punycode_to_string('acadmie-franaise-npb1a')"#,
        "decoded\nacadémie-française\n"
    ),
    entry!(
        "punycode_domain_from_string",
        [],
        Scalar,
        "string",
        "punycode_domain_from_string(encoded_string: string) -> string",
        "Decodes an IDNA domain name: every label starting with xn-- is decoded from Punycode; empty if decoding fails.",
        r#"print domain = punycode_domain_from_string('xn--Lin-8na.Celtchair.org')"#,
        "domain\nLúin.Celtchair.org\n"
    ),
    entry!(
        "punycode_domain_to_string",
        [],
        Scalar,
        "string",
        "punycode_domain_to_string(domain: string) -> string",
        "Encodes a domain name to IDNA form: every label with a non-ASCII character becomes xn-- followed by its Punycode; empty if encoding fails.",
        r#"print str = punycode_domain_to_string("Kaledvoulc'h.Artorījos.edu")"#,
        "str\nKaledvoulc'h.xn--Artorjos-ejb.edu\n"
    ),
];
