//! A synthetic site of many programmes, made from a real site's programmes, for the scale test
//! (`tests/scale.rs`) and the benchmark (`benches/build.rs`).
//!
//! The real programmes are kept as they are; each further programme copies one of them under
//! a new id, place name and province, with every figure's value moved up or down by up to 40%
//! (percentages stay at most 100), so comparisons have a spread of values like real ones. Each
//! copy also gets a copy of its original's commentary, with links pointing at the copy, and a
//! population figure when its original has one. Same input, same output: nothing is random.

use std::fs;
use std::io;
use std::path::Path;

/// Provinces the copies are spread over (the home page groups places by province).
const PROVINCES: [(&str, &str); 31] = [
    ("Anhui", "安徽"),
    ("Beijing", "北京"),
    ("Chongqing", "重庆"),
    ("Fujian", "福建"),
    ("Gansu", "甘肃"),
    ("Guangdong", "广东"),
    ("Guangxi", "广西"),
    ("Guizhou", "贵州"),
    ("Hainan", "海南"),
    ("Hebei", "河北"),
    ("Heilongjiang", "黑龙江"),
    ("Henan", "河南"),
    ("Hubei", "湖北"),
    ("Hunan", "湖南"),
    ("Inner Mongolia", "内蒙古"),
    ("Jiangsu", "江苏"),
    ("Jiangxi", "江西"),
    ("Jilin", "吉林"),
    ("Liaoning", "辽宁"),
    ("Ningxia", "宁夏"),
    ("Qinghai", "青海"),
    ("Shaanxi", "陕西"),
    ("Shandong", "山东"),
    ("Shanghai", "上海"),
    ("Shanxi", "山西"),
    ("Sichuan", "四川"),
    ("Tianjin", "天津"),
    ("Tibet", "西藏"),
    ("Xinjiang", "新疆"),
    ("Yunnan", "云南"),
    ("Zhejiang", "浙江"),
];

/// FNV-1a: a stable hash, so the same site is generated on every machine.
fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A factor between 0.6 and 1.4 for one figure of one copy.
fn factor(key: &str) -> f64 {
    0.6 + (hash(key) % 801) as f64 / 1000.0
}

fn scaled(v: f64, f: f64, percent: bool) -> f64 {
    let mut out = v * f;
    if v.fract() == 0.0 {
        out = out.round().max(if v >= 1.0 { 1.0 } else { 0.0 });
    } else {
        out = (out * 10.0).round() / 10.0;
    }
    if percent {
        out = out.min(100.0);
    }
    out
}

fn number(v: f64) -> serde_yaml::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        serde_yaml::Value::from(v as i64)
    } else {
        serde_yaml::Value::from(v)
    }
}

/// Moves every figure's value of a copy by its own factor.
fn perturb(doc: &mut serde_yaml::Value, id: &str) {
    let Some(targets) = doc["targets"].as_sequence_mut() else {
        return;
    };
    for t in targets {
        let key = format!("{id}/{}", t["id"].as_str().unwrap_or(""));
        let f = factor(&key);
        let percent = t["unit"].as_str() == Some("percent");
        let Some(v) = t["value"].as_f64() else {
            continue;
        };
        let nv = scaled(v, f, percent);
        t["value"] = number(nv);
        let mut said = vec![crate::model::plain_number(nv)];
        if let Some(max) = t["value_max"].as_f64() {
            let nm = scaled(max, f, percent).max(nv);
            t["value_max"] = number(nm);
            said.push(crate::model::plain_number(nm));
        }
        // The quote must give the figure: a synthetic one says its own numbers.
        let quote = t["quote"].as_str().unwrap_or("").to_string();
        t["quote"] = format!("{quote}（合成数据：{}）", said.join("至")).into();
    }
}

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest, &[])?;
        } else {
            fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

fn yaml_err(e: serde_yaml::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Writes `to/content/` with `n` programmes (at least the real ones), made from
/// `from/content/`. Returns the number of programmes written.
pub fn generate(from: &Path, to: &Path, n: usize) -> io::Result<usize> {
    let src = from.join("content");
    let dst = to.join("content");
    if dst.exists() {
        fs::remove_dir_all(&dst)?;
    }
    copy_dir(&src, &dst, &["programmes", "commentary", "context.yaml"])?;
    copy_dir(&src.join("programmes"), &dst.join("programmes"), &[])?;
    copy_dir(&src.join("commentary"), &dst.join("commentary"), &[])?;

    let mut bases: Vec<(String, String)> = Vec::new();
    let mut names: Vec<_> = fs::read_dir(src.join("programmes"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    for path in names {
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        bases.push((id, fs::read_to_string(&path)?));
    }
    let context_text = fs::read_to_string(src.join("context.yaml"))?;
    let mut context: serde_yaml::Value = serde_yaml::from_str(&context_text).map_err(yaml_err)?;
    let populations: Vec<serde_yaml::Value> = context["figures"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    let mut new_populations = Vec::new();
    let total = n.max(bases.len());
    for i in bases.len()..total {
        let (base, text) = &bases[i % bases.len()];
        let k = i / bases.len();
        let new = format!("{base}-{k}");
        // Ids, source ids and references all start with the programme's id.
        let text = text.replace(&format!("{base}-"), &format!("{new}-"));
        let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(yaml_err)?;
        doc["id"] = new.clone().into();
        let (prov_en, prov_zh) = PROVINCES[(i * 7) % PROVINCES.len()];
        let place = &mut doc["place"];
        let en = format!("{} {k}", place["en"].as_str().unwrap_or(base));
        let zh = format!("{}{k}", place["zh"].as_str().unwrap_or(base));
        place["en"] = en.into();
        place["zh"] = zh.into();
        place["province_en"] = prov_en.into();
        place["province_zh"] = prov_zh.into();
        perturb(&mut doc, &new);
        fs::write(
            dst.join(format!("programmes/{new}.yaml")),
            serde_yaml::to_string(&doc).map_err(yaml_err)?,
        )?;
        for lang in ["en", "zh"] {
            let from_file = src.join(format!("commentary/{base}.{lang}.md"));
            if let Ok(c) = fs::read_to_string(&from_file) {
                // The copy's values differ from the original's, so links to its figures
                // would name the wrong numbers: they become plain text.
                let c = unlink_figures(&c)
                    .replace(
                        &format!("/programmes/{base}/"),
                        &format!("/programmes/{new}/"),
                    )
                    .replace(
                        &format!("programmes: [{base}]"),
                        &format!("programmes: [{new}]"),
                    );
                fs::write(dst.join(format!("commentary/{new}.{lang}.md")), c)?;
            }
        }
        for fig in &populations {
            if fig["programme"].as_str() == Some(base) {
                let mut copy = fig.clone();
                copy["programme"] = new.clone().into();
                let old_id = fig["id"].as_str().unwrap_or("population");
                copy["id"] = old_id.replacen(base.as_str(), &new, 1).into();
                if let Some(v) = fig["value"].as_f64() {
                    copy["value"] = number(scaled(v, factor(&new), false));
                }
                new_populations.push(copy);
            }
        }
    }
    if let Some(figs) = context["figures"].as_sequence_mut() {
        figs.extend(new_populations);
    }
    fs::write(
        dst.join("context.yaml"),
        serde_yaml::to_string(&context).map_err(yaml_err)?,
    )?;
    Ok(total)
}

/// `[40%](target:id)` → `40%`: commentary text without links to figures.
fn unlink_figures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("](target:") {
        let (Some(open), Some(close)) = (rest[..i].rfind('['), rest[i..].find(')')) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..i]);
        rest = &rest[i + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_to_figures_become_text() {
        assert_eq!(
            super::unlink_figures("a [40%](target:x-1) b [5](target:y) c [p](/programmes/x/)"),
            "a 40% b 5 c [p](/programmes/x/)"
        );
    }

    use super::*;

    #[test]
    fn factors_stay_in_range_and_percentages_at_most_100() {
        for i in 0..1000 {
            let f = factor(&format!("x{i}"));
            assert!((0.6..=1.4).contains(&f), "{f}");
        }
        assert_eq!(scaled(90.0, 1.4, true), 100.0);
        assert_eq!(scaled(3.0, 0.6, false), 2.0);
        assert_eq!(scaled(1.0, 0.6, false), 1.0);
    }
}
