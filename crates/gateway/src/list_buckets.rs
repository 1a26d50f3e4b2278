//! `ListBuckets` answers with the caller's account's buckets only, as S3 does: the upstream
//! lists every bucket of its own keys, so the gateway drops those another account owns.

/// The `<Name>` of every `<Bucket>` in a `ListAllMyBucketsResult`.
pub fn names(xml: &str) -> Vec<String> {
    segments(xml).filter_map(|(_, b)| name_of(b)).collect()
}

/// `xml` without the `<Bucket>` entries whose name `keep` refuses.
pub fn filter(xml: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut last = 0;
    for (start, bucket) in segments(xml) {
        out.push_str(&xml[last..start]);
        if name_of(bucket).is_some_and(|n| keep(&n)) {
            out.push_str(bucket);
        }
        last = start + bucket.len();
    }
    out.push_str(&xml[last..]);
    out
}

/// (offset, `<Bucket>…</Bucket>`) of each entry.
fn segments(xml: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let start = pos + xml.get(pos..)?.find("<Bucket>")?;
        let len = xml.get(start..)?.find("</Bucket>")? + "</Bucket>".len();
        pos = start + len;
        Some((start, xml.get(start..start + len)?))
    })
}

fn name_of(bucket: &str) -> Option<String> {
    let (_, rest) = bucket.split_once("<Name>")?;
    let (name, _) = rest.split_once("</Name>")?;
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_callers_buckets() {
        let xml = "<ListAllMyBucketsResult><Owner><ID>x</ID></Owner><Buckets>\
                   <Bucket><Name>a</Name><CreationDate>d</CreationDate></Bucket>\
                   <Bucket><Name>b</Name><CreationDate>d</CreationDate></Bucket>\
                   <Bucket><Name>c</Name><CreationDate>d</CreationDate></Bucket>\
                   </Buckets></ListAllMyBucketsResult>";
        assert_eq!(names(xml), vec!["a", "b", "c"]);
        let out = filter(xml, |n| n != "b");
        assert_eq!(names(&out), vec!["a", "c"]);
        assert!(out.starts_with("<ListAllMyBucketsResult><Owner>"));
        assert!(out.ends_with("</Buckets></ListAllMyBucketsResult>"));
        assert_eq!(names(&filter(xml, |_| false)), Vec::<String>::new());
    }
}
