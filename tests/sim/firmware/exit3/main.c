/* Exits with status 3 and prints nothing: the status must reach the host unchanged. */
int main(void)
{
    return 3;
}
