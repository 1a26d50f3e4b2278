//! Buckets' owners and policies, kept by iamd as resource policy records
//! (`/_iamd/{put,get,delete}-resource-policy`) and cached here for a second, so a change made
//! through another gateway is seen within a second, and at once through this one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::iamd::{Iamd, IamdError};
use crate::s3map::bucket_arn;

#[derive(Debug, Clone)]
pub struct Bucket {
    pub owner: String,
    pub policy: Option<String>,
}

type Entry = (Option<Arc<Bucket>>, Instant);

pub struct Buckets {
    iamd: Arc<Iamd>,
    cache: Mutex<HashMap<String, Entry>>,
    ttl: Duration,
}

impl Buckets {
    pub fn new(iamd: Arc<Iamd>, ttl: Duration) -> Buckets {
        Buckets {
            iamd,
            cache: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    fn cached(&self, bucket: &str) -> Option<Option<Arc<Bucket>>> {
        let map = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        map.get(bucket)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(b, _)| b.clone())
    }

    fn remember(&self, bucket: &str, b: Option<Arc<Bucket>>) {
        let mut map = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        map.insert(bucket.to_string(), (b, Instant::now()));
    }

    /// The bucket's record, `None` when iamd has none (a bucket not created through a gateway).
    pub async fn get(&self, bucket: &str) -> Result<Option<Arc<Bucket>>, IamdError> {
        if let Some(b) = self.cached(bucket) {
            return Ok(b);
        }
        let b = match self
            .iamd
            .json(
                "/_iamd/get-resource-policy",
                &json!({"ResourceArn": bucket_arn(bucket)}),
            )
            .await
        {
            Ok(v) => Some(Arc::new(Bucket {
                owner: v["Resource"]["ResourceOwner"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                policy: v["Resource"]["Policy"].as_str().map(str::to_string),
            })),
            Err(IamdError::Api { code, .. }) if code == "NoSuchEntity" => None,
            Err(e) => return Err(e),
        };
        self.remember(bucket, b.clone());
        Ok(b)
    }

    /// Records the owner and policy; `create_only` for a new bucket (an existing record wins:
    /// `EntityAlreadyExists`).
    pub async fn put(
        &self,
        bucket: &str,
        owner: &str,
        policy: Option<&str>,
        create_only: bool,
    ) -> Result<(), IamdError> {
        let mut body = json!({"ResourceArn": bucket_arn(bucket), "ResourceOwner": owner});
        if create_only {
            body["CreateOnly"] = json!(true);
        }
        if let Some(p) = policy {
            body["Policy"] = json!(p);
        }
        self.iamd.json("/_iamd/put-resource-policy", &body).await?;
        self.remember(
            bucket,
            Some(Arc::new(Bucket {
                owner: owner.to_string(),
                policy: policy.map(str::to_string),
            })),
        );
        Ok(())
    }

    pub async fn delete(&self, bucket: &str) -> Result<(), IamdError> {
        self.iamd
            .json(
                "/_iamd/delete-resource-policy",
                &json!({"ResourceArn": bucket_arn(bucket)}),
            )
            .await?;
        self.remember(bucket, None);
        Ok(())
    }
}
