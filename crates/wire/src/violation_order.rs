//! The order in which AWS lists the members of one structure in a `ValidationError` message.
//!
//! It is neither the model's order nor the request's. Every multi-member message we found quoted
//! from AWS (see the table in the tests) lists the members in the iteration order of a Java
//! `HashMap` with 32 buckets keyed by the members' lowerCamel names: bucket
//! `(h ^ (h >>> 16)) & 31` of `String.hashCode()`, members sharing a bucket in model order.
//! No other table size, and neither model nor alphabetical order, fits all of them.

/// Java's `String.hashCode()`: over UTF-16 code units, wrapping.
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16()
        .fold(0u32, |h, u| h.wrapping_mul(31).wrapping_add(u32::from(u)))
}

/// The bucket of `name` in a 32-bucket Java 8+ `HashMap`.
pub(crate) fn bucket(name: &str) -> u32 {
    let h = java_string_hash(name);
    (h ^ (h >> 16)) & 31
}

/// The indexes of `names` (lowerCamel member names, in model order) in AWS's listing order.
pub(crate) fn listing_order<S: AsRef<str>>(names: &[S]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..names.len()).collect();
    // A stable sort keeps model order within a bucket.
    idx.sort_by_key(|&i| names.get(i).map_or(0, |n| bucket(n.as_ref())));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed<'a>(model: &[&'a str], present: &[&str]) -> Vec<&'a str> {
        listing_order(model)
            .into_iter()
            .filter_map(|i| model.get(i).copied())
            .filter(|n| present.contains(n))
            .collect()
    }

    #[test]
    fn java_hash_matches_java() {
        // Values of "abc".hashCode() and "".hashCode() in Java.
        assert_eq!(java_string_hash("abc"), 96354);
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("userName") as i32, -266666762);
    }

    /// (members in model order, members in the message, the order AWS listed them, source).
    const OBSERVED: &[(&[&str], &[&str], &str)] = &[
        // SWF DescribeWorkflowExecution {}: moto's test copies AWS's message,
        // github.com/getmoto/moto tests/test_swf/responses/test_workflow_executions.py
        (
            &["domain", "execution"],
            &["execution", "domain"],
            "moto test_swf",
        ),
        // The same test, `execution: {}`: WorkflowExecution is {workflowId, runId}.
        (
            &["workflowId", "runId"],
            &["runId", "workflowId"],
            "moto test_swf",
        ),
        // SNS AddPermission with only topicArn: an AmazonServiceException quoted in a comment of
        // a permission scanner's source (found by find_string "validation errors detected:
        // Value null at").
        (
            &["topicArn", "label", "aWSAccountId", "actionName"],
            &["aWSAccountId", "label", "actionName"],
            "observed, SNS AddPermission",
        ),
        // EMR AddJobFlowSteps {}: aws-sdk-ruby v1 test fixture.
        (
            &["jobFlowId", "steps"],
            &["steps", "jobFlowId"],
            "aws-sdk-ruby",
        ),
        // DynamoDB UpdateTable, ProvisionedThroughput {0, 0}: a DynamoDB-compatible project's
        // table of answers recorded from AWS.
        (
            &["readCapacityUnits", "writeCapacityUnits"],
            &["writeCapacityUnits", "readCapacityUnits"],
            "observed, DynamoDB",
        ),
        // DynamoDB CreateTable with an empty AttributeDefinition: the same kind of table.
        (
            &["attributeName", "attributeType"],
            &["attributeType", "attributeName"],
            "observed, DynamoDB",
        ),
        // Cognito AdminAddUserToGroup {}: an AWS response replayed by a test (`withRecording`).
        (
            &["userPoolId", "username", "groupName"],
            &["groupName", "username"],
            "observed, Cognito",
        ),
    ];

    #[test]
    fn observed_aws_orders() {
        for (model, aws, source) in OBSERVED {
            assert_eq!(&listed(model, aws), aws, "{source}");
        }
    }

    #[test]
    fn model_order_within_a_bucket() {
        let names = ["userName", "userName"];
        assert_eq!(listing_order(&names), [0, 1]);
    }
}
