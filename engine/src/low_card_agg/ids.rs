//! Group indices for [`super::LowCardAggregateExec`]: each group column's values get dense
//! ids, and a row's ids together give its group.
//!
//! A `Utf8View` column read from a dictionary-encoded Parquet page repeats the same 16-byte
//! view for every row holding the same dictionary entry. Within one array, equal views mean
//! equal strings (the view holds the length, the prefix and the buffer and offset of the
//! bytes, or all the bytes when they fit), so a small direct-mapped cache keyed by the view
//! resolves most rows without hashing or comparing string bytes. A miss looks the bytes up in
//! the column's map. A cached view of a long string is trusted only while the arrays keep the
//! same buffers (another array's buffer numbers may mean other buffers); a view of at most 12
//! bytes holds the bytes themselves and is trusted in any batch.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, StringViewArray, StringViewBuilder,
};
use datafusion::arrow::buffer::Buffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{HashMap, Result, internal_err};
use std::sync::Arc;

/// Cache slots per string column (a power of two).
const SLOTS: usize = 1024;

/// Whether a group column of this type can be mapped to ids.
pub(super) fn supported(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8View
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::Timestamp(_, _)
            | DataType::Duration(_)
    )
}

/// Dense ids for one column's distinct values (null included).
enum ColumnIds {
    Str(StrIds),
    Int(IntIds),
}

#[derive(Clone, Copy, Default)]
struct Slot {
    view: u128,
    id: u32,
    /// The batch this slot was filled in; 0 = never.
    batch: u32,
}

struct StrIds {
    map: HashMap<Box<[u8]>, u32>,
    null_id: Option<u32>,
    len: u32,
    bytes: usize,
    slots: Vec<Slot>,
    batch: u32,
    /// The buffers of the batch the cache was filled from.
    held: Vec<Buffer>,
}

struct IntIds {
    map: HashMap<i64, u32>,
    /// id → value (the null id's entry is unused)
    values: Vec<i64>,
    null_id: Option<u32>,
    data_type: DataType,
}

impl StrIds {
    fn new() -> Self {
        StrIds {
            map: HashMap::default(),
            null_id: None,
            len: 0,
            bytes: 0,
            slots: vec![Slot::default(); SLOTS],
            batch: 1,
            held: Vec::new(),
        }
    }

    fn next_id(&mut self) -> u32 {
        self.len += 1;
        self.len - 1
    }

    fn lookup(&mut self, bytes: &[u8]) -> u32 {
        if let Some(id) = self.map.get(bytes) {
            return *id;
        }
        let id = self.next_id();
        self.bytes += bytes.len();
        self.map.insert(bytes.into(), id);
        id
    }

    /// Starts a batch: the cached views of long strings stay valid only when the batch's
    /// buffers are the very buffers of the previous batch (a Parquet row group's dictionary
    /// is shared by its batches, and filters keep buffers); those are held here, so their
    /// memory cannot have been reused for other bytes.
    fn start(&mut self, array: &StringViewArray) {
        let buffers = array.data_buffers();
        let same = buffers.len() == self.held.len()
            && buffers
                .iter()
                .zip(&self.held)
                .all(|(a, b)| a.as_ptr() == b.as_ptr() && a.len() == b.len());
        if same {
            return;
        }
        self.held = buffers.to_vec();
        self.batch = self.batch.wrapping_add(1);
        if self.batch == 0 {
            self.slots.fill(Slot::default());
            self.batch = 1;
        }
    }

    fn null_id(&mut self) -> u32 {
        match self.null_id {
            Some(id) => id,
            None => {
                let id = self.next_id();
                self.null_id = Some(id);
                id
            }
        }
    }

    fn ids(&mut self, array: &StringViewArray, out: &mut Vec<u32>) {
        self.start(array);
        let batch = self.batch;
        let views = array.views();
        out.clear();
        out.reserve(views.len());
        let nulls = array.logical_nulls().filter(|n| n.null_count() > 0);
        for (i, &view) in views.iter().enumerate() {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                let id = self.null_id();
                out.push(id);
                continue;
            }
            let h = ((view as u64) ^ ((view >> 64) as u64).rotate_left(29))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let at = (h >> 54) as usize & (SLOTS - 1);
            let slot = self.slots[at];
            // a view of at most 12 bytes holds the bytes themselves: valid in any batch
            if slot.view == view && (slot.batch == batch || (view as u32) <= 12) && slot.batch != 0
            {
                out.push(slot.id);
                continue;
            }
            let id = self.lookup(array.value(i).as_bytes());
            self.slots[at] = Slot { view, id, batch };
            out.push(id);
        }
    }

    fn values(&self, ids: impl Iterator<Item = u32>) -> ArrayRef {
        let mut by_id: Vec<&[u8]> = vec![&[]; self.len as usize];
        for (k, id) in &self.map {
            by_id[*id as usize] = k;
        }
        let mut b = StringViewBuilder::new();
        for id in ids {
            if Some(id) == self.null_id {
                b.append_null();
            } else {
                // the bytes came from a valid UTF-8 array
                b.append_value(std::str::from_utf8(by_id[id as usize]).unwrap_or_default());
            }
        }
        Arc::new(b.finish())
    }

    fn size(&self) -> usize {
        // each entry: the boxed bytes, the box, the id and the table's control byte
        self.bytes + self.map.capacity() * 25 + SLOTS * std::mem::size_of::<Slot>()
    }
}

impl IntIds {
    fn ids(&mut self, array: &ArrayRef, out: &mut Vec<u32>) -> Result<()> {
        let as_i64 = cast(array, &DataType::Int64)?;
        let values = as_i64.as_primitive::<Int64Type>();
        out.clear();
        out.reserve(values.len());
        for i in 0..values.len() {
            let id = if values.is_null(i) {
                match self.null_id {
                    Some(id) => id,
                    None => {
                        let id = self.values.len() as u32;
                        self.values.push(0);
                        self.null_id = Some(id);
                        id
                    }
                }
            } else {
                let v = values.value(i);
                let next = self.values.len() as u32;
                let id = *self.map.entry(v).or_insert(next);
                if id == next {
                    self.values.push(v);
                }
                id
            };
            out.push(id);
        }
        Ok(())
    }

    fn values(&self, ids: impl Iterator<Item = u32>) -> Result<ArrayRef> {
        let array: Int64Array = ids
            .map(|id| (Some(id) != self.null_id).then(|| self.values[id as usize]))
            .collect();
        Ok(cast(&array, &self.data_type)?)
    }

    fn size(&self) -> usize {
        self.map.capacity() * 13 + self.values.capacity() * 8
    }
}

/// How a row's column ids become its group index.
enum Combine {
    /// One column: its id is the group.
    One,
    /// Up to four columns: their ids packed 32 bits each.
    Packed {
        map: HashMap<u128, u32>,
        keys: Vec<u128>,
    },
}

/// The group index of each row, over all batches of one partition.
pub(super) struct GroupIds {
    columns: Vec<ColumnIds>,
    combine: Combine,
    scratch: Vec<Vec<u32>>,
}

impl GroupIds {
    /// `types`: the group columns' types, each [`supported`]; at most four.
    pub(super) fn new(types: &[DataType]) -> Result<Self> {
        if types.is_empty() || types.len() > 4 {
            return internal_err!("GroupIds over {} columns", types.len());
        }
        let mut columns = Vec::with_capacity(types.len());
        for t in types {
            columns.push(match t {
                DataType::Utf8View => ColumnIds::Str(StrIds::new()),
                t if supported(t) => ColumnIds::Int(IntIds {
                    map: HashMap::default(),
                    values: Vec::new(),
                    null_id: None,
                    data_type: t.clone(),
                }),
                t => return internal_err!("GroupIds over a {t} column"),
            });
        }
        let combine = if types.len() == 1 {
            Combine::One
        } else {
            Combine::Packed {
                map: HashMap::default(),
                keys: Vec::new(),
            }
        };
        Ok(GroupIds {
            scratch: vec![Vec::new(); columns.len()],
            columns,
            combine,
        })
    }

    /// The number of groups seen so far.
    pub(super) fn len(&self) -> usize {
        match (&self.combine, &self.columns[0]) {
            (Combine::Packed { keys, .. }, _) => keys.len(),
            (Combine::One, ColumnIds::Str(s)) => s.len as usize,
            (Combine::One, ColumnIds::Int(i)) => i.values.len(),
        }
    }

    /// Writes each row's group index to `out`.
    pub(super) fn intern(&mut self, arrays: &[ArrayRef], out: &mut Vec<usize>) -> Result<()> {
        for ((column, array), ids) in self.columns.iter_mut().zip(arrays).zip(&mut self.scratch) {
            match column {
                ColumnIds::Str(s) => {
                    let Some(views) = array.as_string_view_opt() else {
                        return internal_err!(
                            "group column is {}, not Utf8View",
                            array.data_type()
                        );
                    };
                    s.ids(views, ids);
                }
                ColumnIds::Int(i) => i.ids(array, ids)?,
            }
        }
        out.clear();
        match &mut self.combine {
            Combine::One => out.extend(self.scratch[0].iter().map(|&id| id as usize)),
            Combine::Packed { map, keys } => {
                let rows = self.scratch[0].len();
                out.reserve(rows);
                for row in 0..rows {
                    let mut key = 0u128;
                    for (j, ids) in self.scratch.iter().enumerate() {
                        key |= (ids[row] as u128) << (32 * j);
                    }
                    let next = keys.len() as u32;
                    let group = *map.entry(key).or_insert(next);
                    if group == next {
                        keys.push(key);
                    }
                    out.push(group as usize);
                }
            }
        }
        Ok(())
    }

    /// The group columns' values, one row per group, in group-index order.
    pub(super) fn emit(&self) -> Result<Vec<ArrayRef>> {
        let groups = self.len();
        let mut out = Vec::with_capacity(self.columns.len());
        for (j, column) in self.columns.iter().enumerate() {
            let ids: Box<dyn Iterator<Item = u32>> = match &self.combine {
                Combine::One => Box::new(0..groups as u32),
                Combine::Packed { keys, .. } => {
                    Box::new(keys.iter().map(move |k| (k >> (32 * j)) as u32))
                }
            };
            out.push(match column {
                ColumnIds::Str(s) => s.values(ids),
                ColumnIds::Int(i) => i.values(ids)?,
            });
        }
        Ok(out)
    }

    /// Bytes held, roughly.
    pub(super) fn size(&self) -> usize {
        let columns: usize = self
            .columns
            .iter()
            .map(|c| match c {
                ColumnIds::Str(s) => s.size(),
                ColumnIds::Int(i) => i.size(),
            })
            .sum();
        let combine = match &self.combine {
            Combine::One => 0,
            Combine::Packed { map, keys } => map.capacity() * 21 + keys.capacity() * 16,
        };
        columns + combine + self.scratch.iter().map(|s| s.capacity() * 4).sum::<usize>()
    }
}
