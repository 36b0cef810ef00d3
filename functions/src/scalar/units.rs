//! Unit conversions: `convert_angle`, `convert_energy`, `convert_force`, `convert_length`,
//! `convert_mass`, `convert_speed`, `convert_temperature`, `convert_volume`
//! (`convert_X(value, from, to)`, one page per family, e.g. convert-length-function.md).
//!
//! The unit names are exactly the ones each page lists under "Conversion units"; "invalid
//! units return null" (every page), and so does a null value. The factors are written here
//! from the units' definitions (SI and the 1959 international yard and pound, so 1 ft =
//! 0.3048 m and 1 lb = 0.45359237 kg; standard gravity 9.80665 m/s²; the IT BTU; the 2019 SI
//! electron volt; IAU values for astronomical units), not taken from any library. The pages
//! do not give factors, so where a name has several definitions the comment at its table
//! row says which one we chose. `tests/oracles/unit_conversions.py` recomputes the doc
//! examples independently.
//!
//! Choices where the pages are silent (what a Kusto user would expect):
//! - Unit names match case-insensitively (`'meter'` works like `'Meter'`).
//! - `Tilt` is the sine of the angle (an inclinometer reading), so it is not a linear unit:
//!   converting 30 degrees to Tilt gives 0.5, and a Tilt outside [-1, 1] gives NaN.
//! - A non-numeric value is a type error (the pages type it as `real`); the unit arguments must
//!   be strings.
//!
//! Each linear unit is stored as an exact ratio `num / den` of the family's base unit, and a
//! conversion multiplies by `from.num * to.den` and divides by `from.den * to.num`, which keeps
//! conversions between decimal multiples (e.g. m/s to cm/h) free of rounding noise.

use super::{arity, is_string_like, ok, real_arg, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::{reals, str_at, strings};
use datafusion::arrow::array::{Array, ArrayRef, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::f64::consts::PI;
use std::sync::Arc;

/// How one unit relates to its family's base unit.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Conv {
    /// `1 unit = num / den` base units.
    Ratio(f64, f64),
    /// Temperatures: `celsius = (x + zero) * num / den` (`zero` in the unit's own scale).
    Affine { zero: f64, num: f64, den: f64 },
    /// Angle `Tilt`: the sine of the angle.
    Sine,
}

/// An exact ratio `num / den`; the definitions below keep both parts integers below 2^53
/// where they can, so they are exact in f64.
#[derive(Clone, Copy)]
struct Q(f64, f64);

const fn q(num: f64, den: f64) -> Q {
    Q(num, den)
}

impl Q {
    const fn mul(self, o: Q) -> Q {
        Q(self.0 * o.0, self.1 * o.1)
    }
    const fn times(self, k: f64) -> Q {
        Q(self.0 * k, self.1)
    }
    const fn per(self, k: f64) -> Q {
        Q(self.0, self.1 * k)
    }
    const fn cube(self) -> Q {
        self.mul(self).mul(self)
    }
    const fn conv(self) -> Conv {
        Conv::Ratio(self.0, self.1)
    }
}

const fn r(num: f64, den: f64) -> Conv {
    Conv::Ratio(num, den)
}

const fn x(num: f64) -> Conv {
    Conv::Ratio(num, 1.0)
}

// ---- exact definitions ----
const INCH: Q = q(254.0, 10_000.0);
const FOOT: Q = q(3048.0, 10_000.0);
const YARD: Q = q(9144.0, 10_000.0);
const MILE: Q = q(1_609_344.0, 1000.0);
const US_SURVEY_FOOT: Q = q(1200.0, 3937.0);
const NAUTICAL_MILE: Q = q(1852.0, 1.0);
const POUND: Q = q(45_359_237.0, 100_000_000.0);
const GRAVITY: Q = q(980_665.0, 100_000.0);
/// lbf = lb × g = 4.4482216152605 N (exact).
const POUND_FORCE: Q = POUND.mul(GRAVITY);
/// ft·lbf = 1.3558179483314004 J.
const FOOT_POUND: Q = FOOT.mul(POUND_FORCE);
/// International Table BTU (1956): 1055.05585262 J.
const BTU: Q = q(105_505_585_262.0, 100_000_000.0);
/// 2019 SI: 1 eV = 1.602176634e-19 J (exact).
const EV: Q = q(1_602_176_634.0, 1e28);
/// IAU 2012: 1 au = 149 597 870 700 m (exact).
const AU: f64 = 149_597_870_700.0;
/// IAU: 1 ly = c × Julian year = 299 792 458 × 31 557 600 m (exact).
const LIGHT_YEAR: f64 = 9_460_730_472_580_800.0;
/// US gallon = 231 in³ = 3.785411784 L (exact).
const US_GALLON: Q = q(3_785_411_784.0, 1e12);
/// Imperial gallon = 4.54609 L (exact).
const IMP_GALLON: Q = q(454_609.0, 1e8);
/// Degrees per radian.
const RADIAN: Q = q(180.0, PI);

static ANGLE: &[(&str, Conv)] = &[
    // base: degree
    ("Arcminute", r(1.0, 60.0)),
    ("Arcsecond", r(1.0, 3600.0)),
    ("Centiradian", RADIAN.per(100.0).conv()),
    ("Deciradian", RADIAN.per(10.0).conv()),
    ("Degree", x(1.0)),
    ("Gradian", r(9.0, 10.0)),
    ("Microdegree", r(1.0, 1e6)),
    ("Microradian", RADIAN.per(1e6).conv()),
    ("Millidegree", r(1.0, 1e3)),
    ("Milliradian", RADIAN.per(1e3).conv()),
    ("Nanodegree", r(1.0, 1e9)),
    ("Nanoradian", RADIAN.per(1e9).conv()),
    // NATO mil: 6400 per revolution
    ("NatoMil", r(360.0, 6400.0)),
    ("Radian", RADIAN.conv()),
    ("Revolution", x(360.0)),
    ("Tilt", Conv::Sine),
];

static ENERGY: &[(&str, Conv)] = &[
    // base: joule
    ("BritishThermalUnit", BTU.conv()),
    // thermochemical calorie, 4.184 J
    ("Calorie", r(4184.0, 1000.0)),
    // EC therm: 100 000 IT BTU
    ("DecathermEc", BTU.times(1e6).conv()),
    // UK therm: 105.505585257348 MJ (UK Units of Measurement Regulations 1995)
    ("DecathermImperial", r(105_505_585_257_348.0, 1e5)),
    // US therm: 105.4804 MJ (exact by US definition)
    ("DecathermUs", x(1_054_804_000.0)),
    ("ElectronVolt", EV.conv()),
    ("Erg", r(1.0, 1e7)),
    ("FootPound", FOOT_POUND.conv()),
    ("GigabritishThermalUnit", BTU.times(1e9).conv()),
    ("GigaelectronVolt", EV.times(1e9).conv()),
    ("Gigajoule", x(1e9)),
    ("GigawattDay", x(8.64e13)),
    ("GigawattHour", x(3.6e12)),
    // mechanical horsepower (550 ft·lbf/s) for one hour
    ("HorsepowerHour", FOOT_POUND.times(550.0 * 3600.0).conv()),
    ("Joule", x(1.0)),
    ("KilobritishThermalUnit", BTU.times(1e3).conv()),
    ("Kilocalorie", x(4184.0)),
    ("KiloelectronVolt", EV.times(1e3).conv()),
    ("Kilojoule", x(1e3)),
    ("KilowattDay", x(8.64e7)),
    ("KilowattHour", x(3.6e6)),
    ("MegabritishThermalUnit", BTU.times(1e6).conv()),
    ("Megacalorie", x(4.184e6)),
    ("MegaelectronVolt", EV.times(1e6).conv()),
    ("Megajoule", x(1e6)),
    ("MegawattDay", x(8.64e10)),
    ("MegawattHour", x(3.6e9)),
    ("Millijoule", r(1.0, 1e3)),
    ("TeraelectronVolt", EV.times(1e12).conv()),
    ("TerawattDay", x(8.64e16)),
    ("TerawattHour", x(3.6e15)),
    ("ThermEc", BTU.times(1e5).conv()),
    ("ThermImperial", r(105_505_585_257_348.0, 1e6)),
    ("ThermUs", x(105_480_400.0)),
    ("WattDay", x(86_400.0)),
    ("WattHour", x(3600.0)),
];

static FORCE: &[(&str, Conv)] = &[
    // base: newton
    ("Decanewton", x(10.0)),
    ("Dyn", r(1.0, 1e5)),
    ("KilogramForce", GRAVITY.conv()),
    ("Kilonewton", x(1e3)),
    ("KiloPond", GRAVITY.conv()),
    ("KilopoundForce", POUND_FORCE.times(1e3).conv()),
    ("Meganewton", x(1e6)),
    ("Micronewton", r(1.0, 1e6)),
    ("Millinewton", r(1.0, 1e3)),
    ("Newton", x(1.0)),
    ("OunceForce", POUND_FORCE.per(16.0).conv()),
    // lb·ft/s²
    ("Poundal", POUND.mul(FOOT).conv()),
    ("PoundForce", POUND_FORCE.conv()),
    ("ShortTonForce", POUND_FORCE.times(2000.0).conv()),
    ("TonneForce", GRAVITY.times(1e3).conv()),
];

static LENGTH: &[(&str, Conv)] = &[
    // base: meter
    ("Angstrom", r(1.0, 1e10)),
    ("AstronomicalUnit", x(AU)),
    ("Centimeter", r(1.0, 100.0)),
    // Gunter's chain, 66 ft
    ("Chain", FOOT.times(66.0).conv()),
    // data mile, 6000 ft
    ("DataMile", FOOT.times(6000.0).conv()),
    ("Decameter", x(10.0)),
    ("Decimeter", r(1.0, 10.0)),
    // desktop publishing pica and point: 1/6 and 1/72 inch
    ("DtpPica", INCH.per(6.0).conv()),
    ("DtpPoint", INCH.per(72.0).conv()),
    ("Fathom", FOOT.times(6.0).conv()),
    ("Foot", FOOT.conv()),
    ("Hand", INCH.times(4.0).conv()),
    ("Hectometer", x(100.0)),
    ("Inch", INCH.conv()),
    ("KilolightYear", x(LIGHT_YEAR * 1e3)),
    ("Kilometer", x(1e3)),
    // parsec = 648000/π au
    ("Kiloparsec", r(AU * 648_000.0 * 1e3, PI)),
    ("LightYear", x(LIGHT_YEAR)),
    ("MegalightYear", x(LIGHT_YEAR * 1e6)),
    ("Megaparsec", r(AU * 648_000.0 * 1e6, PI)),
    ("Meter", x(1.0)),
    ("Microinch", INCH.per(1e6).conv()),
    ("Micrometer", r(1.0, 1e6)),
    // thou: 1/1000 inch
    ("Mil", INCH.per(1e3).conv()),
    // international mile
    ("Mile", MILE.conv()),
    ("Millimeter", r(1.0, 1e3)),
    ("Nanometer", r(1.0, 1e9)),
    ("NauticalMile", NAUTICAL_MILE.conv()),
    ("Parsec", r(AU * 648_000.0, PI)),
    // printer's (American) pica and point: 12 and 1 of 72.27 per inch
    ("PrinterPica", INCH.times(1200.0).per(7227.0).conv()),
    ("PrinterPoint", INCH.times(100.0).per(7227.0).conv()),
    // shackle of chain: 15 fathoms
    ("Shackle", FOOT.times(90.0).conv()),
    // IAU 2015 nominal solar radius
    ("SolarRadius", x(6.957e8)),
    // 1/20 point = 1/1440 inch
    ("Twip", INCH.per(1440.0).conv()),
    ("UsSurveyFoot", US_SURVEY_FOOT.conv()),
    ("Yard", YARD.conv()),
];

static MASS: &[(&str, Conv)] = &[
    // base: kilogram
    ("Centigram", r(1.0, 1e5)),
    ("Decagram", r(1.0, 100.0)),
    ("Decigram", r(1.0, 1e4)),
    // IAU 2009 best estimate of the Earth's mass
    ("EarthMass", x(5.9722e24)),
    // 64.79891 mg = 1/7000 lb
    ("Grain", r(6_479_891.0, 1e11)),
    ("Gram", r(1.0, 1e3)),
    ("Hectogram", r(1.0, 10.0)),
    ("Kilogram", x(1.0)),
    ("Kilopound", POUND.times(1e3).conv()),
    ("Kilotonne", x(1e6)),
    // 112 lb
    ("LongHundredweight", POUND.times(112.0).conv()),
    // 2240 lb
    ("LongTon", POUND.times(2240.0).conv()),
    ("Megapound", POUND.times(1e6).conv()),
    ("Megatonne", x(1e9)),
    ("Microgram", r(1.0, 1e9)),
    ("Milligram", r(1.0, 1e6)),
    ("Nanogram", r(1.0, 1e12)),
    // avoirdupois ounce, 1/16 lb
    ("Ounce", POUND.per(16.0).conv()),
    ("Pound", POUND.conv()),
    // 100 lb
    ("ShortHundredweight", POUND.times(100.0).conv()),
    // 2000 lb
    ("ShortTon", POUND.times(2000.0).conv()),
    // lbf·s²/ft
    ("Slug", r(POUND_FORCE.0 * FOOT.1, POUND_FORCE.1 * FOOT.0)),
    // solar mass: GM☉ (IAU 2015 nominal, 1.3271244e20 m³/s²) / G (CODATA 2018) ≈ 1.98847e30 kg
    ("SolarMass", x(1.988_47e30)),
    // 14 lb
    ("Stone", POUND.times(14.0).conv()),
    ("Tonne", x(1e3)),
];

/// A speed unit: `len` per `secs` seconds.
const fn sp(len: Q, secs: f64) -> Conv {
    len.per(secs).conv()
}

const M: Q = q(1.0, 1.0);

static SPEED: &[(&str, Conv)] = &[
    // base: meter per second
    ("CentimeterPerHour", sp(M.per(100.0), 3600.0)),
    ("CentimeterPerMinute", sp(M.per(100.0), 60.0)),
    ("CentimeterPerSecond", sp(M.per(100.0), 1.0)),
    ("DecimeterPerMinute", sp(M.per(10.0), 60.0)),
    ("DecimeterPerSecond", sp(M.per(10.0), 1.0)),
    ("FootPerHour", sp(FOOT, 3600.0)),
    ("FootPerMinute", sp(FOOT, 60.0)),
    ("FootPerSecond", sp(FOOT, 1.0)),
    ("InchPerHour", sp(INCH, 3600.0)),
    ("InchPerMinute", sp(INCH, 60.0)),
    ("InchPerSecond", sp(INCH, 1.0)),
    ("KilometerPerHour", sp(M.times(1e3), 3600.0)),
    ("KilometerPerMinute", sp(M.times(1e3), 60.0)),
    ("KilometerPerSecond", sp(M.times(1e3), 1.0)),
    // one nautical mile per hour
    ("Knot", sp(NAUTICAL_MILE, 3600.0)),
    ("MeterPerHour", sp(M, 3600.0)),
    ("MeterPerMinute", sp(M, 60.0)),
    ("MeterPerSecond", sp(M, 1.0)),
    ("MicrometerPerMinute", sp(M.per(1e6), 60.0)),
    ("MicrometerPerSecond", sp(M.per(1e6), 1.0)),
    ("MilePerHour", sp(MILE, 3600.0)),
    ("MillimeterPerHour", sp(M.per(1e3), 3600.0)),
    ("MillimeterPerMinute", sp(M.per(1e3), 60.0)),
    ("MillimeterPerSecond", sp(M.per(1e3), 1.0)),
    ("NanometerPerMinute", sp(M.per(1e9), 60.0)),
    ("NanometerPerSecond", sp(M.per(1e9), 1.0)),
    ("UsSurveyFootPerHour", sp(US_SURVEY_FOOT, 3600.0)),
    ("UsSurveyFootPerMinute", sp(US_SURVEY_FOOT, 60.0)),
    ("UsSurveyFootPerSecond", sp(US_SURVEY_FOOT, 1.0)),
    ("YardPerHour", sp(YARD, 3600.0)),
    ("YardPerMinute", sp(YARD, 60.0)),
    ("YardPerSecond", sp(YARD, 1.0)),
];

/// A temperature scale: `celsius = (x + zero) * num / den`. Degrees Celsius are the base (not
/// kelvin) because most scales' zero points are exact in it, e.g. °F = °C × 9/5 + 32.
const fn t(zero: f64, num: f64, den: f64) -> Conv {
    Conv::Affine { zero, num, den }
}

static TEMPERATURE: &[(&str, Conv)] = &[
    ("DegreeCelsius", t(0.0, 1.0, 1.0)),
    // °C = 100 − °De × 2/3, i.e. (°De − 150) × (−2/3)
    ("DegreeDelisle", t(-150.0, -2.0, 3.0)),
    // °C = (°F − 32) × 5/9
    ("DegreeFahrenheit", t(-32.0, 5.0, 9.0)),
    // °C = °N × 100/33
    ("DegreeNewton", t(0.0, 100.0, 33.0)),
    // °C = (°R − 491.67) × 5/9
    ("DegreeRankine", t(-491.67, 5.0, 9.0)),
    // °C = °Ré × 5/4
    ("DegreeReaumur", t(0.0, 5.0, 4.0)),
    // °C = (°Rø − 7.5) × 40/21
    ("DegreeRoemer", t(-7.5, 40.0, 21.0)),
    // °C = K − 273.15
    ("Kelvin", t(-273.15, 1.0, 1.0)),
    ("MillidegreeCelsius", t(0.0, 1.0, 1e3)),
    // the Sun's effective temperature as a unit, 5778 K (the commonly quoted value; the IAU
    // 2015 nominal value is 5772 K): °C = (x − 273.15/5778) × 5778
    ("SolarTemperature", t(-273.15 / 5778.0, 5778.0, 1.0)),
];

const CUBIC_FOOT: Q = FOOT.cube();

static VOLUME: &[(&str, Conv)] = &[
    // base: cubic meter
    // 43560 ft³ (international foot)
    ("AcreFoot", CUBIC_FOOT.times(43_560.0).conv()),
    // Australian tablespoon, 20 mL
    ("AuTablespoon", r(2.0, 1e5)),
    // 144 in³
    ("BoardFoot", INCH.cube().times(144.0).conv()),
    ("Centiliter", r(1.0, 1e5)),
    ("CubicCentimeter", r(1.0, 1e6)),
    ("CubicDecimeter", r(1.0, 1e3)),
    ("CubicFoot", CUBIC_FOOT.conv()),
    ("CubicHectometer", x(1e6)),
    ("CubicInch", INCH.cube().conv()),
    ("CubicKilometer", x(1e9)),
    ("CubicMeter", x(1.0)),
    ("CubicMicrometer", r(1.0, 1e18)),
    ("CubicMile", MILE.cube().conv()),
    ("CubicMillimeter", r(1.0, 1e9)),
    ("CubicYard", YARD.cube().conv()),
    ("Decaliter", r(1.0, 100.0)),
    ("DecausGallon", US_GALLON.times(10.0).conv()),
    ("Deciliter", r(1.0, 1e4)),
    ("DeciusGallon", US_GALLON.per(10.0).conv()),
    ("HectocubicFoot", CUBIC_FOOT.times(100.0).conv()),
    ("HectocubicMeter", x(100.0)),
    ("Hectoliter", r(1.0, 10.0)),
    ("HectousGallon", US_GALLON.times(100.0).conv()),
    // 36 imperial gallons
    ("ImperialBeerBarrel", IMP_GALLON.times(36.0).conv()),
    ("ImperialGallon", IMP_GALLON.conv()),
    // imperial fluid ounce, 1/160 imperial gallon
    ("ImperialOunce", IMP_GALLON.per(160.0).conv()),
    ("ImperialPint", IMP_GALLON.per(8.0).conv()),
    ("KilocubicFoot", CUBIC_FOOT.times(1e3).conv()),
    ("KilocubicMeter", x(1e3)),
    ("KiloimperialGallon", IMP_GALLON.times(1e3).conv()),
    ("Kiloliter", x(1.0)),
    ("KilousGallon", US_GALLON.times(1e3).conv()),
    ("Liter", r(1.0, 1e3)),
    ("MegacubicFoot", CUBIC_FOOT.times(1e6).conv()),
    ("MegaimperialGallon", IMP_GALLON.times(1e6).conv()),
    ("Megaliter", x(1e3)),
    ("MegausGallon", US_GALLON.times(1e6).conv()),
    // 250 mL
    ("MetricCup", r(1.0, 4e3)),
    // 5 mL
    ("MetricTeaspoon", r(1.0, 2e5)),
    ("Microliter", r(1.0, 1e9)),
    ("Milliliter", r(1.0, 1e6)),
    // 42 US gallons
    ("OilBarrel", US_GALLON.times(42.0).conv()),
    // 15 mL
    ("UkTablespoon", r(15.0, 1e6)),
    // 31 US gallons
    ("UsBeerBarrel", US_GALLON.times(31.0).conv()),
    // 8 US fluid ounces
    ("UsCustomaryCup", US_GALLON.per(16.0).conv()),
    ("UsGallon", US_GALLON.conv()),
    // 240 mL (US nutrition labelling)
    ("UsLegalCup", r(24.0, 1e5)),
    // US fluid ounce, 1/128 US gallon
    ("UsOunce", US_GALLON.per(128.0).conv()),
    ("UsPint", US_GALLON.per(8.0).conv()),
    ("UsQuart", US_GALLON.per(4.0).conv()),
    // half a US fluid ounce
    ("UsTablespoon", US_GALLON.per(256.0).conv()),
    // a third of a US tablespoon
    ("UsTeaspoon", US_GALLON.per(768.0).conv()),
];

/// The unit families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Angle,
    Energy,
    Force,
    Length,
    Mass,
    Speed,
    Temperature,
    Volume,
}

impl Family {
    fn of(name: &str) -> Option<Family> {
        Some(match name {
            "convert_angle" => Family::Angle,
            "convert_energy" => Family::Energy,
            "convert_force" => Family::Force,
            "convert_length" => Family::Length,
            "convert_mass" => Family::Mass,
            "convert_speed" => Family::Speed,
            "convert_temperature" => Family::Temperature,
            "convert_volume" => Family::Volume,
            _ => return None,
        })
    }

    fn udf_name(self) -> &'static str {
        match self {
            Family::Angle => "kql_convert_angle",
            Family::Energy => "kql_convert_energy",
            Family::Force => "kql_convert_force",
            Family::Length => "kql_convert_length",
            Family::Mass => "kql_convert_mass",
            Family::Speed => "kql_convert_speed",
            Family::Temperature => "kql_convert_temperature",
            Family::Volume => "kql_convert_volume",
        }
    }

    fn table(self) -> &'static [(&'static str, Conv)] {
        match self {
            Family::Angle => ANGLE,
            Family::Energy => ENERGY,
            Family::Force => FORCE,
            Family::Length => LENGTH,
            Family::Mass => MASS,
            Family::Speed => SPEED,
            Family::Temperature => TEMPERATURE,
            Family::Volume => VOLUME,
        }
    }

    fn unit(self, name: &str) -> Option<Conv> {
        self.table()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| *c)
    }
}

/// `value` converted between two units of one family (`None` when either unit is unknown).
#[cfg(test)]
fn convert(family: Family, value: f64, from: &str, to: &str) -> Option<f64> {
    let (a, b) = (family.unit(from)?, family.unit(to)?);
    Some(convert_units(value, a, b))
}

fn convert_units(v: f64, from: Conv, to: Conv) -> f64 {
    if from == to {
        return v;
    }
    match (from, to) {
        (Conv::Ratio(fnum, fden), Conv::Ratio(tnum, tden)) => v * (fnum * tden) / (fden * tnum),
        (
            Conv::Affine {
                zero: fz,
                num: fnum,
                den: fden,
            },
            Conv::Affine {
                zero: tz,
                num: tnum,
                den: tden,
            },
        ) => {
            if fnum == tnum && fden == tden {
                // same degree size (e.g. Celsius ↔ Kelvin): only the zero points differ
                v + fz - tz
            } else {
                (v + fz) * (fnum * tden) / (fden * tnum) - tz
            }
        }
        // angles: through degrees
        (Conv::Sine, to) => convert_units(v.asin().to_degrees(), x(1.0), to),
        (from, Conv::Sine) => convert_units(v, from, x(1.0)).to_radians().sin(),
        // mixed kinds cannot happen within one family's table
        _ => f64::NAN,
    }
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let Some(family) = Family::of(name) else {
        return Ok(None);
    };
    arity(name, args, 3, 3, "value: real, from: string, to: string")?;
    let value = real_arg(name, args, 0)?;
    let mut call_args = vec![value];
    for (i, a) in args.iter().enumerate().skip(1) {
        if !is_string_like(a.ty) {
            return Err(type_error(name, i, "a string (unit name)", a.ty));
        }
        call_args.push(string_arg(a));
    }
    ok(call(family, call_args), KqlType::Real)
}

/// The last (from, to) names looked up and their units.
type LastLookup = (String, String, Option<(Conv, Conv)>);

/// The UDF converting `(value: Float64, from: Utf8, to: Utf8)` within one family.
#[derive(Debug, PartialEq, Eq, Hash)]
struct UnitsUdf {
    family: Family,
    signature: Signature,
}

fn call(family: Family, args: Vec<Expr>) -> Expr {
    Arc::new(ScalarUDF::from(UnitsUdf {
        family,
        signature: Signature::any(3, Volatility::Immutable),
    }))
    .call(args)
}

impl ScalarUDFImpl for UnitsUdf {
    fn name(&self) -> &str {
        self.family.udf_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.args.len() != 3 {
            return exec_err!("{} expects 3 arguments", self.name());
        }
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let (v, from, to) = (
            reals(&arrays[0])?,
            strings(&arrays[1])?,
            strings(&arrays[2])?,
        );
        // the unit names are usually constants: look each distinct pair up once
        let mut last: Option<LastLookup> = None;
        let mut out = Vec::with_capacity(v.len());
        for i in 0..v.len() {
            if v.is_null(i) {
                out.push(None);
                continue;
            }
            let (f, t) = (str_at(&from, i), str_at(&to, i));
            let units = match &last {
                Some((lf, lt, u)) if lf == f && lt == t => *u,
                _ => {
                    let u = self.family.unit(f).zip(self.family.unit(t));
                    last = Some((f.to_string(), t.to_string(), u));
                    u
                }
            };
            out.push(units.map(|(a, b)| convert_units(v.value(i), a, b)));
        }
        let out: ArrayRef = Arc::new(Float64Array::from(out));
        if all_scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{
        ANGLE, ENERGY, FORCE, Family, LENGTH, MASS, PI, SPEED, TEMPERATURE, VOLUME, convert,
    };
    use crate::KqlType;
    use crate::scalar::test_util::*;

    fn close(got: f64, want: f64) {
        let tol = 1e-14 * want.abs().max(1e-300);
        assert!((got - want).abs() <= tol, "got {got:e}, want {want:e}");
    }

    fn conv(f: Family, v: f64, a: &str, b: &str) -> f64 {
        convert(f, v, a, b).unwrap_or_else(|| panic!("unknown unit {a} or {b}"))
    }

    #[tokio::test]
    async fn docs_examples() {
        // convert-angle-function.md: 1.2 degrees = 72 arcminutes
        assert_eq!(
            kt("convert_angle", &[r(1.2), s("Degree"), s("Arcminute")]).await,
            "72"
        );
        // convert-force-function.md: 1.2 N = 0.12 daN
        assert_eq!(
            kt("convert_force", &[r(1.2), s("Newton"), s("Decanewton")]).await,
            "0.12"
        );
        // convert-speed-function.md: 1.2 m/s = 432000 cm/h
        assert_eq!(
            kt(
                "convert_speed",
                &[r(1.2), s("MeterPerSecond"), s("CentimeterPerHour")]
            )
            .await,
            "432000"
        );
        // convert-temperature-function.md: 1.2 K = -271.95 °C
        assert_eq!(
            kt(
                "convert_temperature",
                &[r(1.2), s("Kelvin"), s("DegreeCelsius")]
            )
            .await,
            "-271.95"
        );
        // the pages' tables show 15 significant digits; the values below are from
        // tests/oracles/unit_conversions.py
        close(
            conv(Family::Energy, 1.2, "Joule", "BritishThermalUnit"),
            0.001_137_380_544_375_980_6,
        );
        close(
            conv(Family::Length, 1.2, "Meter", "Foot"),
            3.937_007_874_015_748,
        );
        close(
            conv(Family::Mass, 1.2, "Kilogram", "Pound"),
            2.645_547_146_218_531,
        );
        // convert-volume-function.md shows 0.0009728568, which is 1.2 × 0.000810714 (a
        // rounded factor); the exact acre-foot gives 0.000972855832547895 (ERRATA.md)
        close(
            conv(Family::Volume, 1.2, "CubicMeter", "AcreFoot"),
            0.000_972_855_832_547_895,
        );
    }

    #[tokio::test]
    async fn invalid_units_and_nulls() {
        // "Invalid units return null"
        assert_eq!(
            kt("convert_length", &[r(1.0), s("Meter"), s("Parsecs")]).await,
            "NULL"
        );
        assert_eq!(
            kt("convert_length", &[r(1.0), s("Kilogram"), s("Meter")]).await,
            "NULL"
        );
        assert_eq!(
            kt("convert_mass", &[r(1.0), s(""), s("Gram")]).await,
            "NULL"
        );
        assert_eq!(
            kt(
                "convert_mass",
                &[null(KqlType::Real), s("Kilogram"), s("Gram")]
            )
            .await,
            "NULL"
        );
        // integers are accepted as real; the result is real
        let (v, ty) = kql("convert_mass", &[l(2), s("Kilogram"), s("Gram")]).await;
        assert_eq!((v.as_deref(), ty), (Some("2000"), KqlType::Real));
        // case-insensitive names
        assert_eq!(
            kt("convert_length", &[i(3), s("foot"), s("YARD")]).await,
            "1"
        );
        assert!(
            crate::lower::scalar_call("convert_mass", &[s("1"), s("Gram"), s("Gram")], &cx())
                .is_err()
        );
        assert!(crate::lower::scalar_call("convert_mass", &[r(1.0), s("Gram")], &cx()).is_err());
        assert!(
            crate::lower::scalar_call("convert_mass", &[r(1.0), l(1), s("Gram")], &cx()).is_err()
        );
    }

    #[test]
    fn definitions() {
        // exact relations between units of each family
        close(conv(Family::Length, 1.0, "Mile", "Foot"), 5280.0);
        close(conv(Family::Length, 1.0, "Yard", "Inch"), 36.0);
        close(conv(Family::Length, 1.0, "NauticalMile", "Meter"), 1852.0);
        close(
            conv(Family::Length, 1.0, "Parsec", "AstronomicalUnit"),
            648_000.0 / PI,
        );
        close(conv(Family::Length, 1.0, "Chain", "Yard"), 22.0);
        close(conv(Family::Length, 1.0, "Shackle", "Fathom"), 15.0);
        close(conv(Family::Length, 1.0, "DtpPica", "DtpPoint"), 12.0);
        close(
            conv(Family::Length, 1.0, "PrinterPica", "PrinterPoint"),
            12.0,
        );
        close(conv(Family::Length, 1.0, "Inch", "Twip"), 1440.0);
        close(
            conv(Family::Length, 3937.0, "UsSurveyFoot", "Meter"),
            1200.0,
        );
        close(
            conv(Family::Length, 1.0, "Megaparsec", "Kiloparsec"),
            1000.0,
        );
        close(conv(Family::Mass, 1.0, "Pound", "Ounce"), 16.0);
        close(conv(Family::Mass, 1.0, "Pound", "Grain"), 7000.0);
        close(
            conv(Family::Mass, 1.0, "LongTon", "LongHundredweight"),
            20.0,
        );
        close(conv(Family::Mass, 1.0, "ShortTon", "Pound"), 2000.0);
        close(conv(Family::Mass, 1.0, "Stone", "Pound"), 14.0);
        close(
            conv(Family::Mass, 1.0, "Slug", "Kilogram"),
            14.593_902_937_206_364,
        );
        close(
            conv(Family::Force, 1.0, "PoundForce", "Poundal"),
            9.80665 / 0.3048,
        );
        close(conv(Family::Force, 1.0, "KiloPond", "Newton"), 9.80665);
        close(conv(Family::Force, 1.0, "Dyn", "Micronewton"), 10.0);
        close(conv(Family::Energy, 1.0, "KilowattHour", "Megajoule"), 3.6);
        close(conv(Family::Energy, 1.0, "Kilocalorie", "Joule"), 4184.0);
        close(conv(Family::Energy, 1.0, "ThermUs", "Megajoule"), 105.4804);
        close(conv(Family::Energy, 1.0, "DecathermEc", "ThermEc"), 10.0);
        close(
            conv(Family::Energy, 1.0, "HorsepowerHour", "Joule"),
            2_684_519.537_696_173,
        );
        close(
            conv(Family::Energy, 1.0, "GigaelectronVolt", "MegaelectronVolt"),
            1000.0,
        );
        close(conv(Family::Speed, 1.0, "Knot", "KilometerPerHour"), 1.852);
        close(
            conv(Family::Speed, 60.0, "MilePerHour", "MilePerHour"),
            60.0,
        );
        close(
            conv(Family::Speed, 1.0, "MilePerHour", "FootPerSecond"),
            5280.0 / 3600.0,
        );
        close(conv(Family::Volume, 1.0, "UsGallon", "CubicInch"), 231.0);
        close(conv(Family::Volume, 1.0, "UsGallon", "UsOunce"), 128.0);
        close(conv(Family::Volume, 1.0, "UsTablespoon", "UsTeaspoon"), 3.0);
        close(
            conv(Family::Volume, 1.0, "ImperialGallon", "ImperialPint"),
            8.0,
        );
        close(conv(Family::Volume, 1.0, "OilBarrel", "UsGallon"), 42.0);
        close(conv(Family::Volume, 1.0, "CubicYard", "CubicFoot"), 27.0);
        close(conv(Family::Volume, 1.0, "BoardFoot", "CubicInch"), 144.0);
        close(conv(Family::Volume, 1.0, "Megaliter", "CubicMeter"), 1000.0);
        close(conv(Family::Angle, 1.0, "Revolution", "NatoMil"), 6400.0);
        close(conv(Family::Angle, 1.0, "Revolution", "Gradian"), 400.0);
        close(conv(Family::Angle, PI, "Radian", "Degree"), 180.0);
        close(conv(Family::Angle, 1.0, "Degree", "Arcsecond"), 3600.0);
        close(conv(Family::Angle, 30.0, "Degree", "Tilt"), 0.5);
        close(conv(Family::Angle, 0.5, "Tilt", "Degree"), 30.0);
        assert!(conv(Family::Angle, 2.0, "Tilt", "Degree").is_nan());
    }

    #[test]
    fn temperatures() {
        let c = |v: f64, a: &str, b: &str| conv(Family::Temperature, v, a, b);
        close(c(100.0, "DegreeCelsius", "DegreeFahrenheit"), 212.0);
        close(c(-40.0, "DegreeFahrenheit", "DegreeCelsius"), -40.0);
        close(c(0.0, "DegreeCelsius", "Kelvin"), 273.15);
        close(c(491.67, "DegreeRankine", "DegreeCelsius") + 1.0, 1.0);
        close(c(100.0, "DegreeCelsius", "DegreeDelisle") + 1.0, 1.0);
        close(c(0.0, "DegreeCelsius", "DegreeDelisle"), 150.0);
        close(c(100.0, "DegreeCelsius", "DegreeNewton"), 33.0);
        close(c(100.0, "DegreeCelsius", "DegreeReaumur"), 80.0);
        close(c(100.0, "DegreeCelsius", "DegreeRoemer"), 60.0);
        close(c(0.0, "DegreeCelsius", "DegreeRoemer"), 7.5);
        close(c(1.0, "DegreeCelsius", "MillidegreeCelsius"), 1000.0);
        close(c(1.0, "SolarTemperature", "Kelvin"), 5778.0);
        // every scale round-trips through every other (to about 1e-13: a round trip through
        // SolarTemperature cancels most of the digits of its zero point)
        for (a, _) in TEMPERATURE {
            for (b, _) in TEMPERATURE {
                let back = c(c(300.0, a, b), b, a);
                assert!((back - 300.0).abs() < 3e-11, "{a} -> {b}: {back}");
            }
        }
    }

    #[test]
    fn tables_match_the_docs_unit_lists() {
        // the pages list 16, 36, 15, 36, 25, 32, 10 and 52 units
        let sizes = [
            (ANGLE, 16),
            (ENERGY, 36),
            (FORCE, 15),
            (LENGTH, 36),
            (MASS, 25),
            (SPEED, 32),
            (TEMPERATURE, 10),
            (VOLUME, 52),
        ];
        for (t, n) in sizes {
            assert_eq!(t.len(), n);
            for (i, (a, _)) in t.iter().enumerate() {
                for (b, _) in &t[i + 1..] {
                    assert!(!a.eq_ignore_ascii_case(b), "duplicate {a}");
                }
            }
        }
    }
}
