//! `datagen`: generated rows (random or sequence fields), bounded or not.

use super::*;

/// `datagen`'s declaration (Flink's option names; `#` is a column).
pub(crate) const FACTORY: FactoryDecl = FactoryDecl {
    identifier: "datagen",
    description: "Generated rows: random or sequence fields, bounded or not (Flink's datagen).",
    roles: Roles::SCAN,
    options: &[
        OptionDecl {
            default: Some("10000"),
            min: Some(0),
            ..OptionDecl::new(
                "rows-per-second",
                OptionType::INT,
                "Rows generated per second; 0: as fast as possible.",
            )
        },
        OptionDecl {
            min: Some(0),
            ..OptionDecl::new(
                "number-of-rows",
                OptionType::INT,
                "Rows generated in all; absent: unbounded (unless a field is a sequence).",
            )
        },
        OptionDecl {
            default: Some("random"),
            choices: &["random", "sequence"],
            section: "fields",
            ..OptionDecl::new(
                "fields.#.kind",
                OptionType::ENUM,
                "How column # is generated; a sequence ends the table when it reaches its end.",
            )
        },
        OptionDecl {
            section: "fields",
            ..OptionDecl::new(
                "fields.#.min",
                OptionType::STRING,
                "Smallest random value of a numeric column #.",
            )
        },
        OptionDecl {
            section: "fields",
            ..OptionDecl::new(
                "fields.#.max",
                OptionType::STRING,
                "Largest random value of a numeric column #.",
            )
        },
        OptionDecl {
            default: Some("100"),
            min: Some(0),
            section: "fields",
            ..OptionDecl::new(
                "fields.#.length",
                OptionType::INT,
                "Length of a random string or bytes column #.",
            )
        },
        OptionDecl {
            section: "fields",
            ..OptionDecl::new(
                "fields.#.start",
                OptionType::INT,
                "First value of a sequence column # (required for a sequence).",
            )
        },
        OptionDecl {
            section: "fields",
            ..OptionDecl::new(
                "fields.#.end",
                OptionType::INT,
                "Last value of a sequence column # (required for a sequence).",
            )
        },
    ],
};

pub(crate) struct Datagen {
    columns: Vec<Column>,
    fields: Vec<Field>,
    remaining: Option<u64>,
    rows_per_second: u64,
    started: Instant,
    emitted: u64,
    seed: u64,
}

pub(crate) enum Field {
    Sequence {
        /// `None` once the sequence passed `i64::MAX`.
        next: Option<i64>,
        end: i64,
    },
    Random {
        min: Option<f64>,
        max: Option<f64>,
        length: usize,
    },
}

impl Datagen {
    pub(crate) fn new(table: &TableDef, options: &TableOptions) -> Datagen {
        let opt = |c: &Column, o: &str| format!("fields.{}.{o}", c.name);
        let fields = table
            .columns
            .iter()
            .map(|c| {
                if options.choice(&opt(c, "kind")) == Some("sequence") {
                    Field::Sequence {
                        next: options.int(&opt(c, "start")),
                        end: options.int(&opt(c, "end")).unwrap_or_default(),
                    }
                } else {
                    Field::Random {
                        min: options.text(&opt(c, "min")).and_then(|v| v.parse().ok()),
                        max: options.text(&opt(c, "max")).and_then(|v| v.parse().ok()),
                        length: options.int(&opt(c, "length")).unwrap_or_default() as usize,
                    }
                }
            })
            .collect();
        Datagen {
            columns: table.columns.clone(),
            fields,
            remaining: options.int("number-of-rows").map(|n| n as u64),
            rows_per_second: options.int("rows-per-second").unwrap_or_default() as u64,
            started: Instant::now(),
            emitted: 0,
            seed: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn random(&mut self) -> u64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed
    }

    fn value(&mut self, i: usize) -> Option<Value> {
        let t = self.columns[i].data_type.clone();
        match &mut self.fields[i] {
            Field::Sequence { next, end } => {
                let v = (*next).filter(|v| v <= end)?;
                *next = v.checked_add(1);
                Some(crate::values::cast(Value::BigInt(v), &t).unwrap_or(Value::Null))
            }
            Field::Random { min, max, length } => {
                let (min, max, length) = (*min, *max, *length);
                let r = self.random();
                Some(match t.kind {
                    TypeKind::BOOLEAN => Value::Boolean(r & 1 == 1),
                    TypeKind::CHAR | TypeKind::VARCHAR => {
                        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
                        let n = length.min(t.precision as usize).max(1);
                        let mut s = String::with_capacity(n);
                        let mut x = r;
                        for _ in 0..n {
                            if x < 36 {
                                x = self.random();
                            }
                            s.push(ALPHABET[(x % 36) as usize] as char);
                            x /= 36;
                        }
                        Value::String(s.as_str().into())
                    }
                    TypeKind::FLOAT | TypeKind::DOUBLE | TypeKind::DECIMAL => {
                        let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1_000_000.0));
                        let v = lo + (r as f64 / u64::MAX as f64) * (hi - lo);
                        crate::values::cast(Value::Double(v), &t).unwrap_or(Value::Null)
                    }
                    TypeKind::TINYINT | TypeKind::SMALLINT | TypeKind::INT | TypeKind::BIGINT => {
                        let default_max = match t.kind {
                            TypeKind::TINYINT => i8::MAX as f64,
                            TypeKind::SMALLINT => i16::MAX as f64,
                            TypeKind::INT => i32::MAX as f64,
                            _ => i64::MAX as f64,
                        };
                        let lo = min.unwrap_or(0.0) as i64;
                        let hi = max.unwrap_or(default_max) as i64;
                        let span = (hi - lo).max(0) as u64 + 1;
                        let v = lo + (r % span.max(1)) as i64;
                        crate::values::cast(Value::BigInt(v), &t).unwrap_or(Value::Null)
                    }
                    TypeKind::DATE
                    | TypeKind::TIMESTAMP
                    | TypeKind::TIMESTAMP_LTZ
                    | TypeKind::TIME => {
                        crate::values::cast(crate::expr::proctime(), &t).unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                })
            }
        }
    }
}

impl Source for Datagen {
    fn next_batch(&mut self, max: usize) -> Result<Option<Vec<Row>>, Failure> {
        let mut n = max as u64;
        if let Some(remaining) = self.remaining {
            if remaining == 0 {
                return Ok(None);
            }
            n = n.min(remaining);
        }
        // Rate limit: never ahead of rows-per-second.
        if self.rows_per_second > 0 {
            let allowed = self.started.elapsed().as_secs_f64() * self.rows_per_second as f64;
            let ahead = (self.emitted + n) as f64 - allowed;
            if ahead > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(
                    (ahead / self.rows_per_second as f64).min(0.1),
                ));
                let allowed = self.started.elapsed().as_secs_f64() * self.rows_per_second as f64;
                n = n.min((allowed as u64).saturating_sub(self.emitted).max(1));
            }
        }
        let mut rows = Vec::with_capacity(n as usize);
        'rows: for _ in 0..n {
            let mut values = Vec::with_capacity(self.columns.len());
            for i in 0..self.columns.len() {
                match self.value(i) {
                    Some(v) => values.push(v),
                    None => {
                        self.remaining = Some(0);
                        break 'rows;
                    }
                }
            }
            rows.push(Row::insert(values));
        }
        self.emitted += rows.len() as u64;
        if let Some(remaining) = &mut self.remaining {
            *remaining = remaining.saturating_sub(rows.len() as u64);
        }
        if rows.is_empty() && self.remaining == Some(0) {
            return Ok(None);
        }
        Ok(Some(rows))
    }
}

// ---------------------------------------------------------------------------------------
// filesystem
