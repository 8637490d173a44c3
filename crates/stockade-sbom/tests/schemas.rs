//! Documents are valid against the official CycloneDX 1.5 and SPDX 2.3 JSON schemas, and
//! deterministic.

mod support;

use std::time::{Duration, SystemTime};

use serde_json::Value;
use stockade_sbom::format::{Format, render};
use support::*;

fn schema(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// An image with OS packages, language packages, SPDX and free-form licenses, a Maven group
/// and an npm scope, so every branch of the writers is exercised.
fn inventory() -> stockade_sbom::Inventory {
    let l1 = gzip(&tar(&[
        E::File("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n"),
        E::File(
            "var/lib/dpkg/status",
            b"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n\n\
Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\nSource: util-linux (2.38.1-5)\nVersion: 1:2.38.1-5+b1\n",
        ),
        E::File(
            "app/node_modules/@babel/core/package.json",
            br#"{"name":"@babel/core","version":"7.24.0","license":"MIT"}"#,
        ),
        E::File(
            "app/node_modules/dual/package.json",
            br#"{"name":"dual","version":"1.0.0","license":"(MIT OR Apache-2.0)"}"#,
        ),
        E::File(
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
            b"Name: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n",
        ),
    ]));
    let img = Image {
        config: config("amd64", &[digest("d1")]),
        layers: vec![layer("l1", l1)],
    };
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &img)], false);
    let mut inv = stockade_sbom::inventory(dir.path()).unwrap();
    inv.target = "example-image".into();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.packages.len(), 5);
    inv
}

fn created() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

#[test]
fn cyclonedx_is_valid_against_the_official_schema() {
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            schema("spdx.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            schema("jsf-0.82.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema("bom-1.5.schema.json"))
        .unwrap();
    let text = render(&inventory(), Format::CycloneDx, created());
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(errors(&validator, &doc), Vec::<String>::new());
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let comps = doc["components"].as_array().unwrap();
    assert_eq!(comps[0]["type"], "operating-system");
    let babel = comps.iter().find(|c| c["name"] == "core").unwrap();
    assert_eq!(babel["group"], "@babel");
    assert_eq!(babel["purl"], "pkg:npm/%40babel/core@7.24.0");
    assert_eq!(babel["licenses"][0]["license"]["id"], "MIT");
    let req = comps.iter().find(|c| c["name"] == "requests").unwrap();
    assert_eq!(req["licenses"][0]["license"]["name"], "Apache 2.0");
    // A document that breaks the schema is caught, so the check above means something.
    let mut bad = doc.clone();
    bad["components"][1]["type"] = "not-a-type".into();
    assert_eq!(errors(&validator, &bad).len(), 1);
}

#[test]
fn spdx_is_valid_against_the_official_schema() {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema("spdx-2.3.schema.json"))
        .unwrap();
    let text = render(&inventory(), Format::Spdx, created());
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(errors(&validator, &doc), Vec::<String>::new());
    let pkgs = doc["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 6);
    let declared: Vec<&str> = pkgs[1..]
        .iter()
        .map(|p| p["licenseDeclared"].as_str().unwrap())
        .collect();
    // deb (none declared), pypi, npm, npm: in the inventory's order.
    assert_eq!(
        declared,
        [
            "NOASSERTION",
            "NOASSERTION",
            "LicenseRef-Apache-2.0",
            "MIT",
            "(MIT OR Apache-2.0)"
        ]
    );
    assert_eq!(
        doc["hasExtractedLicensingInfos"][0]["extractedText"],
        "Apache 2.0"
    );
    assert_eq!(doc["relationships"].as_array().unwrap().len(), 6);
    let mut bad = doc.clone();
    bad["packages"][1]["filesAnalyzed"] = "no".into();
    assert_eq!(errors(&validator, &bad).len(), 1);
}

#[test]
fn documents_are_deterministic() {
    for f in [Format::CycloneDx, Format::Spdx, Format::Json] {
        assert_eq!(
            render(&inventory(), f, created()),
            render(&inventory(), f, created())
        );
    }
}
