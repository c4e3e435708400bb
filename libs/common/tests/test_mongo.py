"""The embedded store: mongomock through the one factory, with direct _id lookups."""

from kmzb_common.mongo import create_mongo_client


def _collection():
    col = create_mongo_client("mongomock://local")["kmzb"]["things"]
    col.insert_many([{"_id": f"k{i}", "n": i, "unit": "A" if i % 2 else "B"} for i in range(10)])
    return col


def test_id_lookups_still_apply_the_rest_of_the_filter():
    col = _collection()
    assert col.find_one({"_id": "k3"})["n"] == 3
    assert col.find_one({"_id": "k3", "unit": "B"}) is None
    assert col.count_documents({"_id": "missing"}) == 0
    assert sorted(d["n"] for d in col.find({"_id": {"$in": ["k1", "k2", "k2", "nope"]}, "unit": "A"})) == [1]


def test_other_id_operators_fall_back_to_matching_every_document():
    col = _collection()
    assert sorted(d["_id"] for d in col.find({"_id": {"$gte": "k8"}})) == ["k8", "k9"]
    assert col.count_documents({"unit": "A"}) == 5


def test_keyed_upserts_insert_once_and_update_in_place():
    col = _collection()
    for _ in range(3):
        col.update_one({"_id": "new"}, {"$setOnInsert": {"n": 99}, "$inc": {"seen": 1}}, upsert=True)
    assert col.find_one({"_id": "new"}) == {"_id": "new", "n": 99, "seen": 3}
    assert col.count_documents({}) == 11
