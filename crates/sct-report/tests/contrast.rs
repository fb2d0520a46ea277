//! The report stylesheet's text and background colours meet WCAG 2.2 AA (4.5:1 for text).

use std::collections::BTreeMap;

fn colours() -> BTreeMap<String, String> {
    let css = sct_assets::reports::template("report.css").expect("report.css is bundled");
    let mut vars = BTreeMap::new();
    for part in css.split(';') {
        if let Some((name, value)) = part.trim().rsplit_once(':')
            && let Some(name) = name
                .trim()
                .rsplit(' ')
                .next()
                .filter(|n| n.starts_with("--"))
        {
            vars.insert(name.to_string(), value.trim().to_string());
        }
    }
    vars
}

fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour")) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn worked_contrast_values() {
    approx::assert_relative_eq!(contrast("#000000", "#ffffff"), 21.0, epsilon = 1e-9);
    approx::assert_relative_eq!(contrast("#777777", "#ffffff"), 4.478, epsilon = 1e-3);
}

#[test]
fn every_text_and_background_pair_meets_aa() {
    let v = colours();
    let c = |name: &str| {
        v.get(name)
            .unwrap_or_else(|| panic!("{name} is not defined in report.css"))
            .clone()
    };
    let pairs = [
        ("--text", "#ffffff"),
        ("--secondary", "#ffffff"),
        ("--secondary", "--pale"),
        ("--nhs-blue", "#ffffff"),
        ("#ffffff", "--nhs-blue"),
        ("--nhs-dark-blue", "--pale"),
        ("--green", "--green-bg"),
        ("--amber", "--amber-bg"),
        ("--red", "--red-bg"),
        ("--red", "#ffffff"),
        ("--text", "--amber-bg"),
    ];
    for (fg, bg) in pairs {
        let resolve = |x: &str| {
            if x.starts_with("--") {
                c(x)
            } else {
                x.to_string()
            }
        };
        let ratio = contrast(&resolve(fg), &resolve(bg));
        assert!(ratio >= 4.5, "{fg} on {bg}: {ratio:.2}:1 is below 4.5:1");
    }
}
