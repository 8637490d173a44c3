use stockade_model::{Container, Node, Object, PodSpec, Pos};

use crate::Options;

/// What a check sees: one object, its pod specs (found once), and the options.
pub struct Context<'a> {
    /// The object.
    pub object: &'a Object,
    /// Every pod spec in it.
    pub pods: &'a [PodSpec<'a>],
    /// Options from the configuration.
    pub options: &'a Options,
}

impl<'a> Context<'a> {
    /// Every container of every pod spec, with its pod.
    pub fn containers(&self) -> impl Iterator<Item = (&'a PodSpec<'a>, &'a Container<'a>)> {
        self.pods
            .iter()
            .flat_map(|p| p.containers.iter().map(move |c| (p, c)))
    }
}

/// One raw finding emitted by a check; the engine adds the check's metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    /// Message.
    pub message: String,
    /// Where to fix it.
    pub pos: Pos,
    /// Field path.
    pub path: String,
    /// Container name, if the hit is about one.
    pub container: Option<String>,
    /// A severity for this hit only, where one check's findings differ in weight (a
    /// cluster-wide grant against a namespaced one). Configuration overrides still win.
    pub severity: Option<stockade_model::Severity>,
}

/// What a Dockerfile check sees: one parsed Dockerfile and the options.
pub struct DockerfileContext<'a> {
    /// The Dockerfile.
    pub file: &'a stockade_dockerfile::Dockerfile,
    /// Options from the configuration.
    pub options: &'a Options,
}

/// What an image check sees: one image's facts, the options and the current time.
pub struct ImageContext<'a> {
    /// The image.
    pub image: &'a stockade_model::ImageFacts,
    /// Options from the configuration.
    pub options: &'a Options,
    /// Now, in seconds since the Unix epoch (given, so results are reproducible).
    pub now: i64,
}

/// Collects a check's hits.
#[derive(Debug, Default)]
pub struct Emit {
    /// Hits so far.
    pub hits: Vec<Hit>,
}

impl Emit {
    /// A hit at `node` (a field that is present).
    pub fn at(&mut self, node: &Node, path: impl Into<String>, message: impl Into<String>) {
        self.hits.push(Hit {
            message: message.into(),
            pos: node.pos,
            path: path.into(),
            container: None,
            severity: None,
        });
    }

    /// A hit at a position (Dockerfile checks: `path` names the stage and instruction).
    pub fn at_pos(&mut self, pos: Pos, path: impl Into<String>, message: impl Into<String>) {
        self.hits.push(Hit {
            message: message.into(),
            pos,
            path: path.into(),
            container: None,
            severity: None,
        });
    }

    /// A hit about an image: `path` is where inside the image (a file path, or a field of
    /// its configuration such as `config.User`). Images have no lines: the position is 0:0.
    pub fn image(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.hits.push(Hit {
            message: message.into(),
            pos: Pos::default(),
            path: path.into(),
            container: None,
            severity: None,
        });
    }

    /// Like [`Emit::image`], with a severity for this hit only.
    pub fn image_with(
        &mut self,
        path: impl Into<String>,
        severity: stockade_model::Severity,
        message: impl Into<String>,
    ) {
        self.image(path, message);
        if let Some(h) = self.hits.last_mut() {
            h.severity = Some(severity);
        }
    }

    /// A hit about a container: at `node`/`path` when the offending field is present, or at
    /// the container itself when a required field is missing.
    pub fn container(
        &mut self,
        c: &Container,
        at: Option<(&Node, &str)>,
        message: impl Into<String>,
    ) {
        let (pos, path) = match at {
            Some((n, p)) => (n.pos, p.to_string()),
            None => (c.node.pos, c.path.clone()),
        };
        self.hits.push(Hit {
            message: message.into(),
            pos,
            path,
            container: Some(c.name.to_string()),
            severity: None,
        });
    }
}

/// Who an object is. The engine keeps one for every object of the input (the object itself
/// only when a set check wants it), for set checks that only ask whether something exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectId {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectId {
    /// The identity of `o`.
    pub fn of(o: &Object) -> Self {
        ObjectId {
            api_version: o.api_version.clone(),
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
        }
    }
}

/// What a set check sees: every object it asked for, from the whole input, in input order.
pub struct SetContext<'a> {
    /// The objects.
    pub objects: &'a [std::sync::Arc<Object>],
    /// Every object of the input, wanted or not, by identity only.
    pub inventory: &'a [ObjectId],
    /// Options from the configuration.
    pub options: &'a Options,
    /// The objects' pod specs, found once for every set check of the scan.
    pub pods: &'a SetPods<'a>,
}

/// The pod specs of a set's objects, found once and shared by every set check (finding them
/// walks the object; several set checks read the pod specs of every workload).
#[derive(Default)]
pub struct SetPods<'a> {
    /// By the object's address; objects without a pod spec are absent.
    by_object: foldhash::HashMap<usize, Vec<PodSpec<'a>>>,
}

impl<'a> SetPods<'a> {
    /// Finds the pod specs of each of `objects`.
    pub fn build(objects: impl IntoIterator<Item = &'a Object>) -> Self {
        Self::from_found(
            objects
                .into_iter()
                .map(|o| (o, stockade_model::pod_specs(o))),
        )
    }

    /// Collects pod specs found elsewhere (the engine finds them in parallel).
    pub fn from_found(found: impl IntoIterator<Item = (&'a Object, Vec<PodSpec<'a>>)>) -> Self {
        Self {
            by_object: found
                .into_iter()
                .filter(|(_, pods)| !pods.is_empty())
                .map(|(o, pods)| (o as *const Object as usize, pods))
                .collect(),
        }
    }

    /// The pod specs of `object`, which must be one of the objects this was built from (the
    /// same allocation, as the set's `Arc`s share it).
    pub fn of(&self, object: &Object) -> &[PodSpec<'a>] {
        self.by_object
            .get(&(object as *const Object as usize))
            .map_or(&[], Vec::as_slice)
    }
}

impl<'a> SetContext<'a> {
    /// The pod specs of one of the set's objects (found once per scan).
    pub fn pods(&self, object: &Object) -> &'a [PodSpec<'a>] {
        self.pods.of(object)
    }

    /// The objects of one kind.
    pub fn of_kind<'k>(
        &self,
        kind: &'k str,
    ) -> impl Iterator<Item = &'a std::sync::Arc<Object>> + 'k
    where
        'a: 'k,
    {
        self.objects.iter().filter(move |o| o.kind == kind)
    }
}

/// Collects a set check's hits, each about one object.
#[derive(Debug, Default)]
pub struct SetEmit {
    /// Hits so far, with their object.
    pub hits: Vec<(std::sync::Arc<Object>, Hit)>,
}

impl SetEmit {
    /// A hit at `node` of `object`.
    pub fn at(
        &mut self,
        object: &std::sync::Arc<Object>,
        node: &Node,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        let hit = Hit {
            message: message.into(),
            pos: node.pos,
            path: path.into(),
            container: None,
            severity: None,
        };
        self.hits.push((object.clone(), hit));
    }
}

#[cfg(test)]
mod tests {
    use super::SetPods;
    use stockade_model::{load, pod_specs};

    #[test]
    fn set_pods_are_each_objects_own() {
        let loaded = load(
            "t.yaml",
            b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      initContainers: [{name: i, image: x}]\n      containers: [{name: c, image: y}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: j, image: z}]\n",
        );
        let objs = &loaded.objects;
        let pods = SetPods::build(objs.iter());
        let names = |o| {
            pods.of(o)
                .iter()
                .map(|p| {
                    let c: Vec<&str> = p.containers.iter().map(|c| c.name).collect();
                    format!("{}: {}", p.path, c.join(","))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&objs[0]), ["spec.template.spec: c,i"]);
        assert!(names(&objs[1]).is_empty());
        assert_eq!(names(&objs[2]), ["spec.jobTemplate.spec.template.spec: j"]);
        // The same as finding them again.
        for o in objs {
            let again: Vec<String> = pod_specs(o).iter().map(|p| p.path.clone()).collect();
            let kept: Vec<String> = pods.of(o).iter().map(|p| p.path.clone()).collect();
            assert_eq!(kept, again);
        }
        // An object the set was not built from has none.
        let other = load("u.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: y}]\n");
        assert!(pods.of(&other.objects[0]).is_empty());
    }
}
